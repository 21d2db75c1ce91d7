/**
 * main.py programs and helpers shared by the job runner's integration tests.
 * (Not a test file itself.)
 */
import { setTimeout as delay } from 'node:timers/promises';

import type { Job, JobStatus } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import type { IJobs, IStore } from '@jaxlab/store';

/** A small logistic-regression model trained on generated data. */
/** 100,000 jaxlab.log() calls in a tight loop, with a total for progress. */
export const STEP_METRICS_PROGRAM = `from jaxlab import log


def main(n=100000):
    for i in range(n):
        log(step=i, loss=1.0 / (i + 1), total_steps=n)
    print("Final steps:", n)
`;

export const JAX_PROGRAM = `"""Logistic regression on generated, linearly separable data."""
import jax
import jax.numpy as jnp


def make_data(key, n=512):
    k1, k2 = jax.random.split(key)
    x = jax.random.normal(k1, (n, 2))
    noise = 0.1 * jax.random.normal(k2, (n,))
    y = (x[:, 0] + 0.5 * x[:, 1] + noise > 0).astype(jnp.float32)
    return x, y


def loss_fn(params, x, y):
    logits = x @ params["w"] + params["b"]
    return jnp.mean(jnp.logaddexp(0.0, logits) - y * logits)


def main(steps=200, lr=0.5):
    x, y = make_data(jax.random.PRNGKey(0))
    params = {"w": jnp.zeros(2), "b": jnp.zeros(())}
    grad = jax.jit(jax.grad(loss_fn))
    for step in range(steps):
        g = grad(params, x, y)
        params = {k: params[k] - lr * g[k] for k in params}
        if step % 50 == 0:
            print(f"step {step} loss {float(loss_fn(params, x, y)):.4f}")
    accuracy = jnp.mean(((x @ params["w"] + params["b"]) > 0) == (y > 0.5))
    print(f"Final accuracy: {float(accuracy):.4f}")
`;

/** Raises after printing a line. */
export const RAISING_PROGRAM = `def helper(n):
    return 1 / n


def main():
    print("about to fail")
    return helper(0)
`;

/** Never ends on its own (interruptible pure Python). */
/** Catches the interrupt and returns normally: the call completes. */
export const FINISHES_WHEN_INTERRUPTED_PROGRAM = `import time


def main():
    try:
        print("waiting", flush=True)
        time.sleep(60)
    except KeyboardInterrupt:
        print("interrupted, wrapping up", flush=True)
`;

export const ENDLESS_PROGRAM = `import time


def main():
    n = 0
    while True:
        n += 1
        if n % 100000 == 0:
            time.sleep(0.01)
`;

/** Does its work at the top level (a loop): the loader rejects it. */
export const SIDE_EFFECT_PROGRAM = `import math

for i in range(3):
    print("side effect at import", math.pi)


def main():
    return 1
`;

/** Prints `lines` numbered lines, fast. */
export const MANY_LINES_PROGRAM = `def main(lines=100000):
    for i in range(lines):
        print(f"line {i:06d}")
`;

/** Sleeps `seconds` then prints a line. */
export const SLEEP_PROGRAM = `import time


def main(seconds=1.0, tag="x"):
    print(f"start {tag}", flush=True)
    time.sleep(seconds)
    print(f"end {tag}", flush=True)
`;

/** Recompiles train_step for three shapes. */
export const RECOMPILING_PROGRAM = `import jax
import jax.numpy as jnp


@jax.jit
def train_step(x):
    return (x * 2).sum()


def main():
    for rows in (31, 32, 33):
        print(float(train_step(jnp.ones((rows, 128)))))
`;

/** Says whether the folder at \`path\` is visible from inside its sandbox. */
export const PEEK_PROGRAM = `def main(path=""):
    try:
        open(path)
    except IsADirectoryError:
        print("VISIBLE")
    except FileNotFoundError:
        print("ABSENT")
    except PermissionError:
        print("DENIED")
`;

/** Writes marker.txt into its folder (the job's cwd) and says so. */
export const MARKER_PROGRAM = `def main():
    print("main started", flush=True)
    with open("marker.txt", "w") as handle:
        handle.write("user code ran")
`;

/** Creates a job the way the server does. */
export function submitJob(
  store: IStore,
  input: Partial<IJobs.ICreate> & { code: string },
  owner = 'local'
): Promise<Job> {
  return store.jobs.create(owner, {
    projectId: null,
    requirements: '',
    entrypoint: 'main',
    args: {},
    accelerator: 'cpu',
    ...input
  });
}

/** Polls until the job reaches `status` (or any final status). */
export async function waitForStatus(
  store: IStore,
  jobId: string,
  statuses: JobStatus[] | 'final',
  timeoutMs = 60_000
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await store.jobs.get(jobId);
    if (
      job &&
      (statuses === 'final'
        ? isFinalJobStatus(job.status)
        : statuses.includes(job.status))
    ) {
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `job ${jobId} is still ${job?.status} after ${timeoutMs} ms`
      );
    }
    await delay(20);
  }
}

/** The job's whole log, in order, from the store's log chunks. */
export async function readWholeLog(
  store: IStore,
  jobId: string
): Promise<string> {
  let text = '';
  let after = 0;
  for (;;) {
    const chunks = await store.events.readLogs(jobId, after, 1000);
    if (chunks.length === 0) {
      return text;
    }
    for (const chunk of chunks) {
      text += chunk.text;
      after = chunk.seq;
    }
  }
}
