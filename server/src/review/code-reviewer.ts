import type {
  LintFinding,
  LoaderViolation,
  ProjectFile,
  Review
} from '@jaxlab/schemas';
import { checkProgram } from '../loader/harness-commands.js';
import type { IPythonCommandOptions } from '../loader/python-command.js';
import { GeminiModel } from '../gemini/gemini-model.js';
import type {
  IGeminiModelOptions,
  IModelRequest
} from '../gemini/gemini-model.js';
import { runJaxLint, runJaxLintOnFiles } from './jax-lint.js';
import type { IJaxLintOptions } from './jax-lint.js';
import {
  AI_REVIEW_HEADING,
  lintMarkdown,
  loaderMarkdown
} from './review-markdown.js';
import {
  REVIEW_SYSTEM_INSTRUCTION,
  buildReviewPrompt
} from './review-prompt.js';

/** The sentence shown when no Gemini key is configured. */
export const AI_DISABLED_MESSAGE =
  'The AI review is off: set GEMINI_API_KEY (a Google AI Studio key) in the server environment and restart to enable it.';

const MAX_MARKDOWN_CHARS = 500_000;

/**
 * Options of {@link CodeReviewer}: the Gemini model's (without `apiKey` the
 * review is lint-only, `ai.status: 'disabled'`), the lint's and the loader's.
 */
export interface ICodeReviewerOptions extends IGeminiModelOptions {
  /** How to run the built-in lint. */
  lint?: IJaxLintOptions;
  /** How to run the harness's loader check (the lab's Python by default). */
  loader?: IPythonCommandOptions;
}

/** What a review is asked about. */
export interface IReviewInput {
  /** main.py. */
  code: string;
  /** The project's other files (modules, packages, data). */
  files?: ProjectFile[];
  requirements?: string;
  /** The problem statement (the project's README), as context. */
  problem?: string;
  /** The functions a cell may call (the project's; default main, train_step). */
  designated?: string[];
}

/** One event of a streamed review, in order: `lint`, `delta`*, `done`. */
export type ReviewStreamEvent =
  | { type: 'lint'; findings: LintFinding[]; loadViolations: LoaderViolation[] }
  | { type: 'delta'; text: string }
  | { type: 'done'; review: Review };

/**
 * "Review Code": what the run would refuse first (the harness's loader, the
 * same rules the kernel applies), the built-in JAX lint, then Gemini (through Google's
 * Gen AI SDK, `@google/genai`) with the lint findings as context. Never
 * throws for model trouble: missing keys, errors, timeouts and quota
 * answers become `ai.status` `'disabled'`/`'error'` with a clear message.
 *
 * @example
 * ```ts
 * const reviewer = new CodeReviewer({ apiKey: process.env.GEMINI_API_KEY });
 * const review = await reviewer.review({ code });
 * ```
 */
export class CodeReviewer {
  constructor(options: ICodeReviewerOptions = {}) {
    this._options = options;
    this._gemini = new GeminiModel(options, {
      name: 'The AI review',
      whileWaiting: ' The lint findings above are complete;'
    });
  }

  /** The model asked, for display. */
  get model(): string {
    return this._gemini.name;
  }

  /** Lint, then one non-streamed model call; the whole Review. */
  async review(input: IReviewInput, signal?: AbortSignal): Promise<Review> {
    const { findings, lintError } = await this._lint(input);
    const checked = await this._check(input);
    const head = checked.markdown + lintMarkdown(findings, lintError);
    if (!this._gemini.isEnabled) {
      return this._disabled(head, findings, checked.violations);
    }
    const answer = await this._gemini.generate(
      this._modelRequest(input, findings),
      signal
    );
    return 'error' in answer
      ? this._failed(head, findings, answer.error, '', checked.violations)
      : this._ok(head, findings, answer.text, checked.violations);
  }

  /** Lint, then the model's answer as it streams; ends with the whole Review. */
  async *reviewStream(
    input: IReviewInput,
    signal?: AbortSignal
  ): AsyncGenerator<ReviewStreamEvent> {
    const { findings, lintError } = await this._lint(input);
    const checked = await this._check(input);
    yield { type: 'lint', findings, loadViolations: checked.violations };
    const head = checked.markdown + lintMarkdown(findings, lintError);
    if (!this._gemini.isEnabled) {
      yield {
        type: 'done',
        review: this._disabled(head, findings, checked.violations)
      };
      return;
    }
    let text = '';
    let error: string | undefined;
    for await (const part of this._gemini.stream(
      this._modelRequest(input, findings),
      signal
    )) {
      if (part.type === 'error') {
        error = part.message;
      } else {
        text += part.text;
        yield part;
      }
    }
    const review =
      error === undefined
        ? this._ok(head, findings, text, checked.violations)
        : this._failed(head, findings, error, text, checked.violations);
    yield { type: 'done', review };
  }

  /** The model call of a review: the prompt with the lint findings, the system instruction. */
  private _modelRequest(
    input: IReviewInput,
    findings: LintFinding[]
  ): IModelRequest {
    return {
      contents: buildReviewPrompt(
        input.code,
        input.requirements ?? '',
        findings,
        input.problem,
        input.files
      ),
      systemInstruction: REVIEW_SYSTEM_INSTRUCTION
    };
  }

  /** The lint's findings on main.py and every other Python file. */
  private async _lint(
    input: IReviewInput
  ): Promise<{ findings: LintFinding[]; lintError?: string }> {
    const modules = pythonFiles(input.files);
    try {
      return {
        findings:
          Object.keys(modules).length === 0
            ? await runJaxLint(input.code, this._options.lint)
            : await runJaxLintOnFiles(
                { 'main.py': input.code, ...modules },
                this._options.lint
              )
      };
    } catch (err) {
      return { findings: [], lintError: (err as Error).message };
    }
  }

  /** The loader's verdict on main.py and what it imports, never throwing (a failure is a note). */
  private async _check(
    input: IReviewInput
  ): Promise<{ violations: LoaderViolation[]; markdown: string }> {
    try {
      const violations = await checkProgram(
        { ...pythonFiles(input.files), 'main.py': input.code },
        input.requirements ?? '',
        input.designated ?? ['main', 'train_step'],
        this._options.loader
      );
      return { violations, markdown: loaderMarkdown(violations) };
    } catch (err) {
      return {
        violations: [],
        markdown: loaderMarkdown([], (err as Error).message)
      };
    }
  }

  private _ok(
    head: string,
    findings: LintFinding[],
    text: string,
    loadViolations: LoaderViolation[]
  ): Review {
    return {
      markdown: cap(`${head}\n${AI_REVIEW_HEADING}\n\n${text.trim()}\n`),
      findings,
      loadViolations,
      ai: { status: 'ok', model: this._gemini.name }
    };
  }

  private _disabled(
    head: string,
    findings: LintFinding[],
    loadViolations: LoaderViolation[]
  ): Review {
    return {
      markdown: cap(
        `${head}\n${AI_REVIEW_HEADING}\n\n_${AI_DISABLED_MESSAGE}_\n`
      ),
      findings,
      loadViolations,
      ai: { status: 'disabled', message: AI_DISABLED_MESSAGE }
    };
  }

  private _failed(
    head: string,
    findings: LintFinding[],
    message: string,
    partial: string,
    loadViolations: LoaderViolation[]
  ): Review {
    const body = partial.trim() ? `${partial.trim()}\n\n` : '';
    return {
      markdown: cap(`${head}\n${AI_REVIEW_HEADING}\n\n${body}_${message}_\n`),
      findings,
      loadViolations,
      ai: { status: 'error', model: this._gemini.name, message }
    };
  }

  private _options: ICodeReviewerOptions;
  private _gemini: GeminiModel;
}

/** The project's Python files by path (what the loader and the lint read). */
function pythonFiles(files: ProjectFile[] = []): Record<string, string> {
  return Object.fromEntries(
    files.filter(f => f.path.endsWith('.py')).map(f => [f.path, f.content])
  );
}

function cap(markdown: string): string {
  return markdown.length > MAX_MARKDOWN_CHARS
    ? markdown.slice(0, MAX_MARKDOWN_CHARS)
    : markdown;
}
