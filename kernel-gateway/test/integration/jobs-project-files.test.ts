import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';
import type { JobRunner } from '@jaxlab/kernel-gateway';

import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { readWholeLog, submitJob, waitForStatus } from './jobs-programs.js';

/** A JAX program split as people split theirs: a model module and a data package. */
const FILES = [
  {
    path: 'models.py',
    content: `import jax.numpy as jnp


def predict(w, x):
    return jnp.tanh(x @ w)
`
  },
  { path: 'utils/__init__.py', content: '' },
  {
    path: 'utils/data.py',
    content: `import numpy as np

SEED = 7


def points(n):
    rng = np.random.default_rng(SEED)
    return rng.normal(size=(n, 3)).astype("float32")
`
  },
  { path: 'configs/notes.md', content: '# Not Python: written, not imported\n' }
];

const MAIN_PY = `import jax.numpy as jnp

from models import predict
from utils.data import points


def main(n=16):
    y = predict(jnp.ones((3,)), points(n))
    print(f"Final mean: {float(y.mean()):.4f}")
`;

describe('JobRunner with a project of several files', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-jpf-');
    store = host.store;
    runner = host.createRunner({
      hostId: 'files-host',
      maxConcurrentJobs: 1,
      sandboxed: true
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it("should run main() importing the job's modules and packages to COMPLETED", async () => {
    const submitted = await submitJob(store, { code: MAIN_PY, files: FILES });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    const log = await readWholeLog(store, job.id);
    expect(job.status, log).toBe('COMPLETED');
    expect(log).toMatch(/Final mean: -?\d\.\d{4}/);
    expect(job.metrics!.values.mean).toBeDefined();
  });

  it('should refuse at load a module of the job that does work at its top level, naming the file', async () => {
    const submitted = await submitJob(store, {
      code: MAIN_PY,
      files: [
        ...FILES.filter(f => f.path !== 'models.py'),
        {
          path: 'models.py',
          content: `${FILES[0].content}\nfor i in range(3):\n    print(i)\n`
        }
      ]
    });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('LOAD_REJECTED');
    expect(await readWholeLog(store, job.id)).toContain('models.py');
  });
});
