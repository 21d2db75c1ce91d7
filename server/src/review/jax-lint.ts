import type { LintFinding } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';

import { runPythonCommand } from '../loader/python-command.js';
import type { IPythonCommandOptions } from '../loader/python-command.js';

/** Options of {@link runJaxLint}. */
export type IJaxLintOptions = IPythonCommandOptions;

/**
 * Runs the built-in JAX lint (`python -I -m jaxlab_lint`, the package in
 * `server/python/` that bootstrap installs into the lab's Python) over
 * `code` in a subprocess. The linter only parses the code with `ast`; it
 * never imports or runs it. Findings come back sorted by position.
 *
 * @throws {@link JaxLabError} `INTERNAL` when the linter cannot run, times
 *   out, or answers something that is not a findings list.
 * @example
 * ```ts
 * const findings = await runJaxLint('import jax\n...');
 * ```
 */
export async function runJaxLint(
  code: string,
  options: IJaxLintOptions = {}
): Promise<LintFinding[]> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_lint'],
    code,
    'JAX lint',
    'Run scripts/bootstrap.sh, which installs the lint into the lab Python (.venv); the review continues without lint findings.',
    options
  );
  return parseFindings(out);
}

/**
 * Lints every Python file of a project at once (`python -I -m jaxlab_lint
 * --files`): main.py's findings as {@link runJaxLint} gives them, the
 * other files' naming their `file`.
 *
 * @throws {@link JaxLabError} `INTERNAL` as {@link runJaxLint}.
 */
export async function runJaxLintOnFiles(
  files: Record<string, string>,
  options: IJaxLintOptions = {}
): Promise<LintFinding[]> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_lint', '--files'],
    JSON.stringify({ files }),
    'JAX lint',
    'Run scripts/bootstrap.sh, which installs the lint into the lab Python (.venv); the review continues without lint findings.',
    options
  );
  return parseFindings(out);
}

function parseFindings(text: string): LintFinding[] {
  const out = (JSON.parse(text) as { findings?: unknown }).findings;
  if (!Array.isArray(out))
    throw new JaxLabError('INTERNAL', 'JAX lint answered no findings list');
  return out.map(f => {
    const x = f as Record<string, unknown>;
    const ok =
      typeof x.rule === 'string' &&
      /^JAX[0-9]{3}$/.test(x.rule) &&
      Number.isInteger(x.line) &&
      Number.isInteger(x.column) &&
      ['error', 'warning', 'info'].includes(x.severity as string) &&
      ['message', 'why', 'fix'].every(k => typeof x[k] === 'string');
    if (!ok)
      throw new JaxLabError(
        'INTERNAL',
        'JAX lint answered a malformed finding'
      );
    const finding: LintFinding = {
      rule: x.rule as string,
      line: Math.max(1, x.line as number),
      column: Math.max(1, x.column as number),
      severity: x.severity as LintFinding['severity'],
      message: (x.message as string).slice(0, 1000),
      why: (x.why as string).slice(0, 2000),
      fix: (x.fix as string).slice(0, 2000)
    };
    if (typeof x.name === 'string') finding.name = x.name.slice(0, 64);
    if (typeof x.file === 'string' && x.file !== 'main.py')
      finding.file = x.file.slice(0, 300);
    return finding;
  });
}
