import { ApiError, GoogleGenAI } from '@google/genai';
import type { GenerateContentParameters } from '@google/genai';
import type { LintFinding, LoaderViolation, Review } from '@jaxlab/schemas';
import { checkProgram } from '../loader/harness-commands.js';
import type { IPythonCommandOptions } from '../loader/python-command.js';
import { runJaxLint } from './jax-lint.js';
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

/** Model used when none is configured. */
export const DEFAULT_REVIEW_MODEL = 'gemini-2.5-flash';

/** The sentence shown when no Gemini key is configured. */
export const AI_DISABLED_MESSAGE =
  'The AI review is off: set GEMINI_API_KEY (a Google AI Studio key) in the server environment and restart to enable it.';

const MAX_MARKDOWN_CHARS = 500_000;

/** Options of {@link CodeReviewer}. */
export interface ICodeReviewerOptions {
  /** Gemini API key; without it the review is lint-only (`ai.status: 'disabled'`). */
  apiKey?: string;
  /** Gemini model (default {@link DEFAULT_REVIEW_MODEL}). */
  model?: string;
  /** Base URL of the Gemini API (a local stand-in in tests). */
  baseUrl?: string;
  /** Give up on the model after this long (default 60 s). */
  timeoutMs?: number;
  /** How to run the built-in lint. */
  lint?: IJaxLintOptions;
  /** How to run the harness's loader check (the lab's Python by default). */
  loader?: IPythonCommandOptions;
}

/** What a review is asked about. */
export interface IReviewInput {
  code: string;
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
    this._model = options.model ?? DEFAULT_REVIEW_MODEL;
    if (options.apiKey) {
      this._ai = new GoogleGenAI({
        apiKey: options.apiKey,
        httpOptions: options.baseUrl ? { baseUrl: options.baseUrl } : undefined
      });
    }
  }

  /** The model asked, for display. */
  get model(): string {
    return this._model;
  }

  /** Lint, then one non-streamed model call; the whole Review. */
  async review(input: IReviewInput, signal?: AbortSignal): Promise<Review> {
    const { findings, lintError } = await this._lint(input.code);
    const checked = await this._check(input);
    const head = checked.markdown + lintMarkdown(findings, lintError);
    if (!this._ai) return this._disabled(head, findings, checked.violations);
    const deadline = this._deadline(signal);
    try {
      const res = await this._ai.models.generateContent(
        this._modelRequest(input, findings, deadline.signal)
      );
      return this._ok(head, findings, res.text ?? '', checked.violations);
    } catch (err) {
      return this._failed(
        head,
        findings,
        err,
        deadline.timedOut(),
        '',
        checked.violations
      );
    } finally {
      deadline.dispose();
    }
  }

  /** Lint, then the model's answer as it streams; ends with the whole Review. */
  async *reviewStream(
    input: IReviewInput,
    signal?: AbortSignal
  ): AsyncGenerator<ReviewStreamEvent> {
    const { findings, lintError } = await this._lint(input.code);
    const checked = await this._check(input);
    yield { type: 'lint', findings, loadViolations: checked.violations };
    const head = checked.markdown + lintMarkdown(findings, lintError);
    if (!this._ai) {
      yield {
        type: 'done',
        review: this._disabled(head, findings, checked.violations)
      };
      return;
    }
    const deadline = this._deadline(signal);
    let text = '';
    let review: Review;
    try {
      const stream = await this._ai.models.generateContentStream(
        this._modelRequest(input, findings, deadline.signal)
      );
      for await (const chunk of stream) {
        const delta = chunk.text ?? '';
        if (delta) {
          text += delta;
          yield { type: 'delta', text: delta };
        }
      }
      review = this._ok(head, findings, text, checked.violations);
    } catch (err) {
      review = this._failed(
        head,
        findings,
        err,
        deadline.timedOut(),
        text,
        checked.violations
      );
    } finally {
      deadline.dispose();
    }
    yield { type: 'done', review };
  }

  /** The model call of a review: the prompt with the lint findings, the system instruction. */
  private _modelRequest(
    input: IReviewInput,
    findings: LintFinding[],
    abortSignal: AbortSignal
  ): GenerateContentParameters {
    return {
      model: this._model,
      contents: buildReviewPrompt(
        input.code,
        input.requirements ?? '',
        findings,
        input.problem
      ),
      config: { systemInstruction: REVIEW_SYSTEM_INSTRUCTION, abortSignal }
    };
  }

  private async _lint(
    code: string
  ): Promise<{ findings: LintFinding[]; lintError?: string }> {
    try {
      return { findings: await runJaxLint(code, this._options.lint) };
    } catch (err) {
      return { findings: [], lintError: (err as Error).message };
    }
  }

  /** The loader's verdict on main.py, never throwing (a failure is a note). */
  private async _check(
    input: IReviewInput
  ): Promise<{ violations: LoaderViolation[]; markdown: string }> {
    try {
      const violations = await checkProgram(
        { 'main.py': input.code },
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

  private _deadline(signal?: AbortSignal): {
    signal: AbortSignal;
    timedOut(): boolean;
    dispose(): void;
  } {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, this._options.timeoutMs ?? 60_000);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      dispose: () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    };
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
      ai: { status: 'ok', model: this._model }
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
    err: unknown,
    timedOut: boolean,
    partial: string,
    loadViolations: LoaderViolation[]
  ): Review {
    const message = describeModelError(
      err,
      timedOut,
      this._model,
      this._options.timeoutMs ?? 60_000
    );
    const body = partial.trim() ? `${partial.trim()}\n\n` : '';
    return {
      markdown: cap(`${head}\n${AI_REVIEW_HEADING}\n\n${body}_${message}_\n`),
      findings,
      loadViolations,
      ai: { status: 'error', model: this._model, message }
    };
  }

  private _options: ICodeReviewerOptions;
  private _model: string;
  private _ai: GoogleGenAI | undefined;
}

/** A model failure as one sentence a user can act on. */
export function describeModelError(
  err: unknown,
  timedOut: boolean,
  model: string,
  timeoutMs: number,
  feature: { name: string; whileWaiting: string } = {
    name: 'The AI review',
    whileWaiting: ' The lint findings above are complete;'
  }
): string {
  let message: string;
  if (timedOut) {
    message = `${feature.name} timed out: ${model} did not answer within ${Math.round(timeoutMs / 1000)} s.${feature.whileWaiting} try again later.`;
  } else if (err instanceof ApiError && err.status === 429) {
    message = `${feature.name} hit the Gemini quota or rate limit (429). Wait a minute and try again, or check the quota of the API key.`;
  } else if (
    err instanceof ApiError &&
    (err.status === 401 || err.status === 403)
  ) {
    message = `Gemini refused the API key (${err.status}). Check GEMINI_API_KEY.`;
  } else if (err instanceof ApiError) {
    message = `Gemini answered an error (${err.status}) for ${model}: ${firstLine(err.message)}. Try again later.`;
  } else {
    message = `${feature.name} failed: ${firstLine((err as Error)?.message ?? String(err))}. Try again later.`;
  }
  return message.slice(0, 2000);
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

function cap(markdown: string): string {
  return markdown.length > MAX_MARKDOWN_CHARS
    ? markdown.slice(0, MAX_MARKDOWN_CHARS)
    : markdown;
}
