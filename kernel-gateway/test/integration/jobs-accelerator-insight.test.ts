import { statSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { labPaths } from '@jaxlab/paths';
import type { IStore } from '@jaxlab/store';
import { CompileCache } from '@jaxlab/kernel-gateway';
import type { JobRunner } from '@jaxlab/kernel-gateway';

import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import {
  PEEK_PROGRAM,
  RECOMPILING_PROGRAM,
  readWholeLog,
  submitJob,
  waitForStatus
} from './jobs-programs.js';

const SPIRALS = readFileSync(
  `${labPaths().root}/server/src/samples/spirals-mlp/main.py`,
  'utf8'
);

describe('JobRunner compile cache, warm pool, recompilations and profiles', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;
  let cache: CompileCache;
  const log: string[] = [];

  beforeAll(async () => {
    host = await createTestJobHost('jl-insight-');
    store = host.store;
    cache = new CompileCache({
      dataDir: host.dataDir,
      kernelUid: process.getuid?.() === 0 ? 65534 : undefined
    });
    runner = host.createRunner({
      hostId: 'insight-host',
      accelerators: [{ kind: 'cpu', count: 1, deviceKind: 'cpu' }],
      compileCache: cache,
      warmPool: true,
      artifacts: store.artifacts,
      log: line => log.push(line)
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should compile a second run of the spirals sample from the cache, saying what it saved', async () => {
    const run = async () => {
      const job = await submitJob(
        store,
        { code: SPIRALS, projectId: 'spirals' },
        'alice'
      );
      return waitForStatus(store, job.id, 'final', 120_000);
    };
    const first = await run();
    const second = await run();
    expect(first.status).toBe('COMPLETED');
    expect(second.status).toBe('COMPLETED');
    expect(first.metrics!.compileCache).toMatchObject({ hits: 0 });
    expect(first.metrics!.compileCache!.misses).toBeGreaterThan(0);
    expect(second.metrics!.compileCache!.hits).toBeGreaterThan(0);
    expect(second.metrics!.compileCache!.savedMs).toBeGreaterThan(0);
    expect(second.metrics!.compilationTimeMs).toBeLessThan(
      first.metrics!.compilationTimeMs * 0.5
    );
    expect(second.metrics!.values.accuracy).toBe(
      first.metrics!.values.accuracy
    );
    // JAX's cache chatter stays out of the user's log.
    for (const job of [first, second]) {
      expect(await readWholeLog(store, job.id)).not.toMatch(
        /persistent compilation cache/i
      );
    }
  });

  it("should keep each user's cache in a folder of its own that no other user's kernel can see", async () => {
    const alices = cache.projectDir('alice', 'spirals');
    const peek = await submitJob(
      store,
      { code: PEEK_PROGRAM, args: { path: alices }, projectId: 'spirals' },
      'bob'
    );
    const done = await waitForStatus(store, peek.id, 'final', 60_000);
    expect(done.status).toBe('COMPLETED');
    expect(await readWholeLog(store, done.id)).toContain('ABSENT');
    const bobs = cache.projectDir('bob', 'spirals');
    expect(bobs).not.toBe(alices);
    // Neither is readable by other users of the host, nor by kernels.
    expect(statSync(alices).mode & 0o777).toBe(0o700);
    expect(statSync(bobs).mode & 0o777).toBe(0o700);
    expect(statSync(`${alices}/..`).mode & 0o777).toBe(0o700);
  });

  it('should take jobs without requirements from the warm pool', async () => {
    expect(log.some(line => /warm kernel/.test(line))).toBe(true);
  });

  it('should report a recompiling function with the reason JAX gives', async () => {
    const job = await submitJob(store, { code: RECOMPILING_PROGRAM });
    const done = await waitForStatus(store, job.id, 'final', 60_000);
    expect(done.status).toBe('COMPLETED');
    const [entry] = done.metrics!.recompilations!;
    expect(entry).toMatchObject({ function: 'train_step', count: 3 });
    expect(entry!.reasons.join(' ')).toMatch(/f32\[32,128\].*f32\[31,128\]/);
    expect(await readWholeLog(store, done.id)).not.toContain('CACHE MISS');
  });

  it("should keep the trace of a profiled run as one of the run's outputs, in a format that parses", async () => {
    const job = await submitJob(store, {
      code: RECOMPILING_PROGRAM,
      profile: true
    });
    const done = await waitForStatus(store, job.id, 'final', 60_000);
    expect(done.status).toBe('COMPLETED');
    // One artifact among the run's outputs/, in the one artifacts part.
    const [artifact, ...others] = await store.artifacts.list(done.id);
    expect(others).toEqual([]);
    expect(artifact).toMatchObject({
      name: 'profile.trace.json.gz',
      contentType: 'application/gzip'
    });
    expect(await store.artifacts.getCollection(done.id)).toMatchObject({
      keptFiles: 1,
      dropped: []
    });
    const opened = (await store.artifacts.open(done.id, artifact!.name))!;
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
    const trace = JSON.parse(
      gunzipSync(Buffer.concat(chunks)).toString('utf8')
    ) as { traceEvents: { name?: string }[] };
    expect(trace.traceEvents.length).toBeGreaterThan(10);
    const text = await readWholeLog(store, done.id);
    expect(text).toMatch(
      /jaxlab: profile trace \([\d.]+ MiB\) written to outputs\/profile\.trace\.json\.gz/
    );
    expect(text).toContain('kept 1 file of outputs/');
  });

  it('should end a run XLA cannot allocate for OUT_OF_MEMORY, saying how to need less device memory', async () => {
    // XLA's own allocator refuses 64 TiB with RESOURCE_EXHAUSTED, as a GPU's
    // does past its memory: no cgroup is involved.
    const job = await submitJob(store, {
      code: [
        'import jax.numpy as jnp',
        '',
        '',
        'def main():',
        '    return float(jnp.zeros((2**44,), jnp.float32).sum())',
        ''
      ].join('\n')
    });
    const done = await waitForStatus(store, job.id, 'final', 60_000);
    expect(done.status).toBe('FAILED');
    expect(done.failure).toMatchObject({ reason: 'OUT_OF_MEMORY' });
    expect(done.failure!.message).toMatch(
      /cpu device memory.*RESOURCE_EXHAUSTED/
    );
    for (const fix of ['smaller batch', 'bfloat16', 'jax.checkpoint', 'donate'])
      expect(done.failure!.hint).toContain(fix);
  });

  it('should record the peak host memory of the sandbox', async () => {
    const job = await submitJob(store, { code: RECOMPILING_PROGRAM });
    const done = await waitForStatus(store, job.id, 'final', 60_000);
    expect(done.metrics!.memory!.peakHostBytes).toBeGreaterThan(50 * 2 ** 20);
  });
});
