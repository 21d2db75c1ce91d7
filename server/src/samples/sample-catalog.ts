import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { labPaths } from '@jaxlab/paths';
import type { SampleInfo, SampleList } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';

/** A sample problem with its files. */
export interface ISample extends SampleInfo {
  readme: string;
  mainPy: string;
  requirements: string;
}

/**
 * The sample problems shipped with the lab. Each runs on the CPU in well
 * under a minute and obeys the restricted loader (definitions only; only
 * `main` is called). Their files live in `src/samples/<id>/`.
 */
export const SAMPLE_PROBLEMS: Readonly<SampleList> = Object.freeze([
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
