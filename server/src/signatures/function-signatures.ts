import type { FunctionSignatures } from '@jaxlab/schemas';
import { JaxLabError, shapeErrors } from '@jaxlab/schemas';
import { runPythonCommand } from '../loader/python-command.js';
import type { IPythonCommandOptions } from '../loader/python-command.js';

/**
 * The signatures of `designated` in `code`
 * (`python -I -m jaxlab_harness signatures`): names, kinds, defaults as
 * written and as JSON literals, annotations. The code is parsed, never run.
 *
 * @throws {@link JaxLabError} `INTERNAL` when the command cannot run or
 *   answers something that is not a FunctionSignatures document.
 */
export async function readFunctionSignatures(
  code: string,
  designated: readonly string[],
  options: IPythonCommandOptions = {}
): Promise<FunctionSignatures> {
  const out = await runPythonCommand(
    ['-m', 'jaxlab_harness', 'signatures'],
    JSON.stringify({ code, designated }),
    'Reading the signatures',
    'Run scripts/bootstrap.sh, which installs the harness into the lab Python (.venv).',
    options
  );
  let answer: unknown;
  try {
    answer = JSON.parse(out);
  } catch {
    answer = undefined;
  }
  const problems = shapeErrors('function-signatures', answer);
  if (problems.length) {
    throw new JaxLabError(
      'INTERNAL',
      `The signatures command answered no signatures: ${problems[0]}`
    );
  }
  return answer as FunctionSignatures;
}
