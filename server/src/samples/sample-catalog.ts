import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { labPaths } from '@jaxlab/paths';
import { JaxLabError } from '@jaxlab/schemas';

/** A sample problem as GET /api/samples lists it. */
export interface ISampleInfo {
  /** Stable id, e.g. `spirals-mlp`; also the folder name. */
  id: string;
  /** Human title (the project's default name). */
  title: string;
  /** One sentence on what it teaches. */
  description: string;
  /** The `Final <name>:` metric it prints. */
  metric: string;
}

/** A sample problem with its files. */
export interface ISample extends ISampleInfo {
  readme: string;
  mainPy: string;
  requirements: string;
}

/**
 * The sample problems shipped with the lab. Each runs on the CPU in well
 * under a minute and obeys the restricted loader (definitions only; only
 * `main` is called). Their files live in `src/samples/<id>/`.
 */
export const SAMPLE_PROBLEMS: readonly ISampleInfo[] = Object.freeze([
  {
    id: 'linear-regression',
    title: 'Linear regression with jax.grad',
    description:
      'Fit a linear model to noisy data by gradient descent with jax.grad and jax.jit.',
    metric: 'loss'
  },
  {
    id: 'spirals-mlp',
    title: 'MLP on two spirals',
    description:
      'Train a small MLP to separate two generated spirals; prints the final accuracy.',
    metric: 'accuracy'
  },
  {
    id: 'matmul-throughput',
    title: 'Matrix-multiply throughput',
    description:
      'Time a jit-compiled matrix multiply with block_until_ready and report TFLOP/s.',
    metric: 'tflops'
  }
]);

/**
 * Reads a sample problem's README.md, main.py and requirements.txt.
 *
 * @throws {@link JaxLabError} `NOT_FOUND` for an unknown id.
 */
export async function loadSample(id: string): Promise<ISample> {
  const info = SAMPLE_PROBLEMS.find(s => s.id === id);
  if (!info) {
    throw new JaxLabError('NOT_FOUND', `No sample problem '${id}'`, {
      hint: `Pick one of: ${SAMPLE_PROBLEMS.map(s => s.id).join(', ')} (GET /api/samples).`
    });
  }
  const read = (name: string): Promise<string> =>
    readFile(path.join(labPaths().samplesDir, id, name), 'utf8');
  const [readme, mainPy, requirements] = await Promise.all([
    read('README.md'),
    read('main.py'),
    read('requirements.txt')
  ]);
  return { ...info, readme, mainPy, requirements };
}
