import type { LoaderViolation, RunnableRewrite } from '@jaxlab/schemas';
import { JaxLabError, isValid } from '@jaxlab/schemas';

import { runPythonCommand } from './python-command.js';
import type { IPythonCommandOptions } from './python-command.js';

const HINT =
  'Run scripts/bootstrap.sh, which installs the harness into the lab Python (.venv).';

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
): Promise<LoaderViolation[]> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_harness', 'check'],
    JSON.stringify({ files, requirements, designated }),
    'The loader check',
    HINT,
    options
  );
  const violations = (JSON.parse(out) as { violations?: unknown }).violations;
  if (
    !Array.isArray(violations) ||
    !violations.every(v => isValid('loader-violation', v))
  )
    throw new JaxLabError(
      'INTERNAL',
      'The loader check answered malformed violations',
      {
        hint: HINT
      }
    );
  return violations as LoaderViolation[];
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
): Promise<RunnableRewrite> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_harness', 'make-runnable'],
    JSON.stringify({ source }),
    'Make it runnable',
    HINT,
    options
  );
  const rewrite: unknown = JSON.parse(out);
  if (!isValid('runnable-rewrite', rewrite))
    throw new JaxLabError(
      'INTERNAL',
      'Make it runnable answered a malformed rewrite',
      {
        hint: HINT
      }
    );
  return rewrite;
}
