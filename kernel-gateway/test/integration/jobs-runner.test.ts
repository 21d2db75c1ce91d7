// JobRunner against real kernels in the sandbox: the first suite shares one
// runner and its warm kernels (starting them is most of the time), hence one
// file a little over ~400 lines.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';

import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import {
  ENDLESS_PROGRAM,
  FINISHES_WHEN_INTERRUPTED_PROGRAM,
  JAX_PROGRAM,
  MANY_LINES_PROGRAM,
  MARKER_PROGRAM,
  RAISING_PROGRAM,
  SIDE_EFFECT_PROGRAM,
  SLEEP_PROGRAM,
  STEP_METRICS_PROGRAM,
  readWholeLog,
  submitJob,
  waitForStatus
} from './jobs-programs.js';
import type { IJobKernels, JobRunner } from '@jaxlab/kernel-gateway';

describe('JobRunner', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;
  const log: string[] = [];

  beforeAll(async () => {
    host = await createTestJobHost('jl-jr-');
    store = host.store;
    runner = host.createRunner({
      hostId: 'test-host',
      maxConcurrentJobs: 3,
      deviceWaitMs: 1500,
      sandboxed: true,
      log: line => log.push(line)
    });
    await runner.start();
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should run a JAX program to COMPLETED with its metrics, log and manifest', async () => {
    const submitted = await submitJob(store, {
      code: JAX_PROGRAM,
      args: { steps: 120 }
    });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    expect(job.failure).toBeUndefined();
    expect(job.status).toBe('COMPLETED');
    expect(job.finishedAt).toBeTruthy();
    expect(job.host).toBe('test-host');
    expect(job.metrics!.compilationTimeMs).toBeGreaterThan(0);
    expect(job.metrics!.executionTimeMs).toBeGreaterThan(0);
    expect(job.metrics!.values.accuracy).toBeGreaterThan(0.9);
    expect(job.metrics!.device.platform).toBe('cpu');

    const text = await readWholeLog(store, job.id);
    expect(text).toContain('step 0 loss');
    expect(text).toContain('step 100 loss');
    expect(text).toMatch(/Final accuracy: 0\.9\d+/);

    const events = await store.events.read(job.id, 0, 1000);
    const statuses = events.flatMap(e =>
      e.type === 'job:status' ? [e.status] : []
    );
    expect(statuses).toEqual(['COMPILING', 'RUNNING', 'COMPLETED']);
    expect(events.some(e => e.type === 'job:metrics')).toBe(true);
    // The real phases, each ended where the next began, the last at the end.
    expect(job.phases!.map(p => p.phase)).toEqual([
      'environment',
      'kernel',
      'call'
    ]);
    expect(job.phases![2].detail).toBe('main(steps=120)');
    expect(job.phases![2].endedAt).toBe(job.finishedAt);
    // Its printed "step N loss X" lines became a series (no jaxlab.log here).
    expect(job.series!.loss).toMatchObject({ count: 3, lastStep: 100 });

    expect(job.manifest).toMatchObject({
      entrypoint: 'main',
      args: { steps: 120 },
      host: 'test-host',
      sandboxed: true,
      device: { platform: 'cpu' }
    });
    expect(job.manifest!.jax).toMatch(/^\d+\.\d+/);
    expect(job.manifest!.jaxlib).toMatch(/^\d+\.\d+/);
    expect(job.manifest!.python).toMatch(/^3\.\d+/);
    expect(job.manifest!.codeSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should end a raising program FAILED/USER_ERROR with its traceback in the log', async () => {
    const submitted = await submitJob(store, { code: RAISING_PROGRAM });
    const job = await waitForStatus(store, submitted.id, 'final');
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('USER_ERROR');
    expect(job.failure!.message).toContain('ZeroDivisionError');
    expect(job.failure!.hint).toBeTruthy();
    const text = await readWholeLog(store, job.id);
    expect(text).toContain('about to fail');
    expect(text).toContain('ZeroDivisionError');
    expect(text).toContain('helper');
    // The kernel's folder is /job inside the sandbox: no host path leaks.
    expect(text).toContain('File "/job/main.py"');
    expect(text).not.toContain(host.dataDir);
    expect(text).not.toContain('/kernels/');
  });

  it('should end an endless loop TIMEOUT after its time limit', async () => {
    const submitted = await submitJob(store, {
      code: ENDLESS_PROGRAM,
      timeLimitMs: 3000
    });
    await waitForStatus(store, submitted.id, ['RUNNING'], 60_000);
    const runningAt = Date.now();
    const job = await waitForStatus(store, submitted.id, 'final');
    const tookMs = Date.now() - runningAt;
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('TIMEOUT');
    expect(tookMs).toBeGreaterThanOrEqual(2500);
    expect(tookMs).toBeLessThan(8000);
  });

  it('should end a cancelled job CANCELLED in under two seconds', async () => {
    const submitted = await submitJob(store, { code: ENDLESS_PROGRAM });
    await waitForStatus(store, submitted.id, ['RUNNING'], 60_000);
    const requestedAt = Date.now();
    await store.jobs.requestCancel(submitted.id, 'local');
    const job = await waitForStatus(store, submitted.id, 'final', 10_000);
    const tookMs = Date.now() - requestedAt;
    expect(job.status).toBe('CANCELLED');
    expect(tookMs).toBeLessThan(2000);
    console.log(`cancel took ${tookMs} ms`);
  });

  it('should say a call cancelled in its loop was cancelled, without its KeyboardInterrupt traceback', async () => {
    const submitted = await submitJob(store, {
      code: `import time\n\n\ndef main():\n    print("looping", flush=True)\n    while True:\n        time.sleep(0.01)\n`
    });
    await waitForStatus(store, submitted.id, ['RUNNING'], 60_000);
    for (let i = 0; i < 300; i++) {
      if ((await readWholeLog(store, submitted.id)).includes('looping')) break;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    await store.jobs.requestCancel(submitted.id, 'local');
    const job = await waitForStatus(store, submitted.id, 'final', 10_000);
    expect(job.status).toBe('CANCELLED');
    const text = await readWholeLog(store, job.id);
    expect(text).toBe('looping\n[jaxlab] Cancelled on request.\n');
  });

  it('should store every point of 100,000 jaxlab.log() calls of a tight loop, with progress', async () => {
    const submitted = await submitJob(store, { code: STEP_METRICS_PROGRAM });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    expect(job.failure).toBeUndefined();
    expect(job.series).toEqual({
      loss: {
        count: 100_000,
        lastStep: 99_999,
        last: 1 / 100_000,
        min: 1 / 100_000,
        max: 1
      }
    });
    expect(job.progress).toEqual({
      step: 99_999,
      totalSteps: 100_000,
      points: 100_000
    });
    const steps: number[] = [];
    for (let from = 0; from < 100_000; from += 10_000) {
      const [part] = await store.series.read(job.id, {
        buckets: 10_000,
        fromStep: from,
        toStep: from + 9_999
      });
      expect(part.downsampled).toBe(false);
      steps.push(...part.step);
    }
    expect(steps).toEqual(Array.from({ length: 100_000 }, (_, i) => i));
    // Watchers hear of it in a few job:series events, not 100,000.
    const events = await store.events.read(job.id, 0, 10_000);
    const series = events.filter(e => e.type === 'job:series');
    expect(series.length).toBeGreaterThan(0);
    expect(series.length).toBeLessThan(100);
    expect(series[series.length - 1]).toMatchObject({
      progress: { step: 99_999, points: 100_000 }
    });
  });

  it('should end a main.py with top-level side effects LOAD_REJECTED with the line', async () => {
    const submitted = await submitJob(store, { code: SIDE_EFFECT_PROGRAM });
    const job = await waitForStatus(store, submitted.id, 'final');
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('LOAD_REJECTED');
    expect(job.failure!.message).toMatch(/line 3/);
  });

  it('should end a requirements line with a URL REQUIREMENTS_REJECTED naming the line', async () => {
    const submitted = await submitJob(store, {
      code: SLEEP_PROGRAM,
      requirements: 'six\npkg @ https://example.com/pkg-1.0-py3-none-any.whl\n'
    });
    const job = await waitForStatus(store, submitted.id, 'final');
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('REQUIREMENTS_REJECTED');
    expect(job.failure!.message).toContain('line 2');
  });

  it('should probe its devices with a kernel inside the sandbox at start, and say what it found', async () => {
    expect(runner.accelerators).toEqual([
      { kind: 'cpu', count: 1, deviceKind: 'cpu' }
    ]);
    expect(log.join('\n')).toMatch(
      /job runner on test-host: devices probed in the sandbox: cpu: up to 8 XLA CPU device\(s\) per job, slots cpu0 cpu1 cpu2/
    );
    const [registered] = (await store.hosts.list(new Date(0))).filter(
      h => h.hostId === 'test-host'
    );
    expect(registered!.slots!.map(s => s.id)).toEqual(['cpu0', 'cpu1', 'cpu2']);
  });

  it('should keep a job asking for a TPU on this CPU host QUEUED for the device wait, then fail it DEVICE_UNAVAILABLE naming the CPU', async () => {
    const submitted = await submitJob(store, {
      code: SLEEP_PROGRAM,
      accelerator: 'tpu'
    });
    await new Promise(resolve => setTimeout(resolve, 1000));
    expect((await store.jobs.get(submitted.id))!.status).toBe('QUEUED');
    const job = await waitForStatus(store, submitted.id, 'final', 10_000);
    expect(
      Date.parse(job.finishedAt!) - Date.parse(job.createdAt)
    ).toBeGreaterThanOrEqual(1500);
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('DEVICE_UNAVAILABLE');
    expect(job.failure!.message).toContain('cpu');
    expect(job.finishedAt).toBeTruthy();
  });

  it('should deliver 100,000 log lines to the store in order with none lost', async () => {
    const submitted = await submitJob(store, { code: MANY_LINES_PROGRAM });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    expect(job.status).toBe('COMPLETED');
    const text = await readWholeLog(store, job.id);
    const expected = Array.from(
      { length: 100_000 },
      (_, i) => `line ${String(i).padStart(6, '0')}\n`
    ).join('');
    expect(text.length).toBe(expected.length);
    expect(text === expected).toBe(true);
    const chunks = await store.events.readLogs(job.id, 0, 100_000);
    // Coalesced: far fewer events than lines.
    expect(chunks.length).toBeLessThan(2000);
  });

  it('should install requirements and make them importable in the kernel', async () => {
    const submitted = await submitJob(store, {
      code: 'import tabulate\n\n\ndef main():\n    print(tabulate.tabulate([[1, 2]], headers=["a", "b"]))\n',
      requirements: 'tabulate==0.9.0\n'
    });
    const job = await waitForStatus(store, submitted.id, 'final', 90_000);
    expect(job.failure).toBeUndefined();
    expect(await readWholeLog(store, job.id)).toMatch(
      /a\s+b\n-+\s+-+\n\s*1\s+2/
    );
    expect(job.manifest!.packages).toEqual({ tabulate: '0.9.0' });
    expect(job.manifest!.environmentSha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('JobRunner (a runner per case)', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-jc-');
    store = host.store;
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should run two jobs at once and keep the third waiting in order', async () => {
    const jobs = [];
    for (const tag of ['a', 'b', 'c']) {
      jobs.push(
        await submitJob(store, {
          code: SLEEP_PROGRAM,
          args: { seconds: 2, tag }
        })
      );
    }
    runner = await host.startRunner({
      hostId: 'concurrency-host',
      maxConcurrentJobs: 2
    });
    const [a, b] = await Promise.all(
      jobs.slice(0, 2).map(j => waitForStatus(store, j.id, ['RUNNING'], 60_000))
    );
    expect([a.status, b.status]).toEqual(['RUNNING', 'RUNNING']);
    expect((await store.jobs.get(jobs[2].id))!.status).toBe('QUEUED');
    const c = await waitForStatus(store, jobs[2].id, ['RUNNING'], 60_000);
    const first = await store.jobs.get(jobs[0].id);
    const second = await store.jobs.get(jobs[1].id);
    // The third started only once one of the first two had finished (the
    // other may still be finishing).
    const finishes = [first!.finishedAt, second!.finishedAt]
      .filter((at): at is string => !!at)
      .map(at => Date.parse(at));
    expect(finishes.length).toBeGreaterThan(0);
    const firstFinish = Math.min(...finishes);
    expect(Date.parse(c.startedAt!)).toBeGreaterThanOrEqual(firstFinish);
    const done = await waitForStatus(store, jobs[2].id, 'final', 60_000);
    expect(done.status).toBe('COMPLETED');
  });

  it('should fail DEVICE_UNAVAILABLE before any user code when the sandbox cannot see the TPU the host claims', async () => {
    await runner?.dispose();
    // Which kernels had the marker in their folder when they were shut down.
    const markers: boolean[] = [];
    const kernels: IJobKernels = {
      startKernel: options => host.kernels.startKernel(options),
      interruptKernel: id => host.kernels.interruptKernel(id),
      writeFiles: (id, files) => host.kernels.writeFiles(id, files),
      shutdownKernel: (id, options) => {
        const dir = host.kernels.get(id)!.jobDir;
        markers.push(existsSync(path.join(dir, 'marker.txt')));
        return host.kernels.shutdownKernel(id, options);
      }
    };
    // A host that claims a TPU its sandbox does not really hold.
    runner = host.createRunner({
      kernels,
      hostId: 'misconfigured-host',
      accelerators: [
        { kind: 'tpu', count: 4, deviceKind: 'TPU v5 lite' },
        { kind: 'cpu', count: 1, deviceKind: 'cpu' }
      ]
    });
    await runner.start();
    const submitted = await submitJob(store, {
      code: MARKER_PROGRAM,
      accelerator: 'tpu'
    });
    const job = await waitForStatus(store, submitted.id, 'final', 60_000);
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('DEVICE_UNAVAILABLE');
    // What JAX saw, on which host, and what to do.
    expect(job.failure!.message).toContain('JAX_PLATFORMS=tpu');
    expect(job.failure!.message).toContain('misconfigured-host');
    expect(job.failure!.hint).toContain('"cpu"');
    expect(markers).toEqual([false]);
    expect(await readWholeLog(store, job.id)).not.toContain('main started');
    expect(job.manifest!.device).toMatchObject({ platform: 'tpu', count: 4 });
  });

  it('should hand a running job back to the queue on drain, and record one whose call returns meanwhile as COMPLETED, not run it again', async () => {
    const waitForLog = async (id: string, text: string): Promise<void> => {
      for (let i = 0; !(await readWholeLog(store, id)).includes(text); i++) {
        if (i > 3000) throw new Error(`job ${id} never printed ${text}`);
        await delay(20);
      }
    };
    // The interrupt lands, the program returns all the same: it completed.
    await runner?.dispose();
    runner = await host.startRunner({ hostId: 'draining-host' });
    const finishing = await submitJob(store, {
      code: FINISHES_WHEN_INTERRUPTED_PROGRAM
    });
    await waitForLog(finishing.id, 'waiting');
    await runner.drain(0);
    const completed = (await store.jobs.get(finishing.id))!;
    expect(completed.status).toBe('COMPLETED');
    const log = await readWholeLog(store, finishing.id);
    expect(log).toContain('interrupted, wrapping up');
    expect(log).not.toContain('goes back to the queue');
    expect(log).not.toContain('KeyboardInterrupt');

    // The interrupt stops the program: the job goes back, to run again.
    runner = await host.startRunner({ hostId: 'draining-host' });
    const endless = await submitJob(store, { code: ENDLESS_PROGRAM });
    await waitForStatus(store, endless.id, ['RUNNING'], 60_000);
    await runner.drain(0);
    const requeued = (await store.jobs.get(endless.id))!;
    expect(requeued.status).toBe('QUEUED');
    expect(requeued.attempt).toBe(2);
    expect(await readWholeLog(store, endless.id)).toContain(
      'goes back to the queue'
    );
    await store.jobs.requestCancel(endless.id, 'local');
  });

  it('should end running jobs FAILED/INTERNAL and stop their kernels on dispose()', async () => {
    await runner?.dispose();
    runner = await host.startRunner({ hostId: 'stopping-host' });
    const submitted = await submitJob(store, { code: ENDLESS_PROGRAM });
    await waitForStatus(store, submitted.id, ['RUNNING'], 60_000);
    expect(host.kernels.list()).toHaveLength(1);
    await runner.dispose();
    const job = (await store.jobs.get(submitted.id))!;
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('INTERNAL');
    expect(job.finishedAt).toBeTruthy();
    expect(host.kernels.list()).toHaveLength(0);
  });
});
