import { JaxLabError } from '@jaxlab/schemas';

import { runPythonCommand } from './python-command.js';
import type { IPythonCommandOptions } from './python-command.js';

const HINT =
  'Run scripts/bootstrap.sh, which installs the harness into the lab Python (.venv).';

/** One rule a project's file breaks, as the restricted kernel would refuse it. */
export interface ILoaderViolation {
  /** The project file (`main.py`, `models.py`). */
  file: string;
  /** 1-based line and column of the construct; the end is exclusive. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Stable rule id (`user-code-at-load`, `top-level-statement`, ...). */
  rule: string;
  /** What was found, in the user's words. */
  message: string;
  /** What to do. */
  hint: string;
}

/** What Make it runnable made of a main.py. */
export interface IRunnableResult {
  changed: boolean;
  /** The rewritten main.py (the input when nothing changed). */
  source: string;
  /** What was done, or why nothing was. */
  reason: string;
  /** 1-based inclusive line ranges of the input that moved into main(). */
  movedLines: [number, number][];
  /** Names main() declares `global`. */
  globals: string[];
  /** What a `main` the script had was renamed to, if it had one. */
  renamedMain: string | null;
  /** What the loader still refuses in the result. */
  violations: ILoaderViolation[];
}

/**
 * Checks a project's files by the restricted kernel's loading rules
 * (`python -I -m jaxlab_harness check`): nothing is imported or run.
 *
 * @param files - path to text, with `main.py`.
 * @throws {@link JaxLabError} `INTERNAL` when the check cannot run.
 */
export async function checkProgram(
  files: Record<string, string>,
  requirements: string,
  designated: string[],
  options: IPythonCommandOptions = {}
): Promise<ILoaderViolation[]> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_harness', 'check'],
    JSON.stringify({ files, requirements, designated }),
    'The loader check',
    HINT,
    options
  );
  const answer = JSON.parse(out) as { violations?: unknown };
  return violationsOf(answer.violations);
}

/**
 * Make it runnable (`python -I -m jaxlab_harness make-runnable`): moves the
 * top-level work of `source` into a generated `main()`. Deterministic; no
 * model involved.
 *
 * @throws {@link JaxLabError} `INTERNAL` when the rewrite cannot run.
 */
export async function makeRunnable(
  source: string,
  options: IPythonCommandOptions = {}
): Promise<IRunnableResult> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_harness', 'make-runnable'],
    JSON.stringify({ source }),
    'Make it runnable',
    HINT,
    options
  );
  const x = JSON.parse(out) as Record<string, unknown>;
  if (typeof x.changed !== 'boolean' || typeof x.source !== 'string')
    throw new JaxLabError('INTERNAL', 'Make it runnable answered no source');
  return {
    changed: x.changed,
    source: x.source,
    reason: String(x.reason ?? ''),
    movedLines: Array.isArray(x.movedLines)
      ? (x.movedLines as [number, number][])
      : [],
    globals: Array.isArray(x.globals) ? (x.globals as string[]) : [],
    renamedMain: typeof x.renamedMain === 'string' ? x.renamedMain : null,
    violations: violationsOf(x.violations)
  };
}

function violationsOf(value: unknown): ILoaderViolation[] {
  if (!Array.isArray(value))
    throw new JaxLabError('INTERNAL', 'The loader answered no violations list');
  return value.map(v => {
    const x = v as Record<string, unknown>;
    const ok =
      typeof x.file === 'string' &&
      Number.isInteger(x.line) &&
      Number.isInteger(x.column) &&
      ['rule', 'message', 'hint'].every(k => typeof x[k] === 'string');
    if (!ok)
      throw new JaxLabError(
        'INTERNAL',
        'The loader answered a malformed violation'
      );
    const violation: ILoaderViolation = {
      file: (x.file as string).slice(0, 300),
      line: Math.max(1, x.line as number),
      column: Math.max(1, x.column as number),
      rule: (x.rule as string).slice(0, 64),
      message: (x.message as string).slice(0, 1000),
      hint: (x.hint as string).slice(0, 1000)
    };
    if (Number.isInteger(x.endLine) && Number.isInteger(x.endColumn)) {
      violation.endLine = x.endLine as number;
      violation.endColumn = x.endColumn as number;
    }
    return violation;
  });
}
