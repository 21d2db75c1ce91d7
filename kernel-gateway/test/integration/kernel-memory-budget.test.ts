/**
 * Kernels are admitted against the host's memory budget: the sum of their
 * memory limits never passes it. A kernel start beyond it is refused,
 * saying so; a job beyond it waits in the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';
import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { SLEEP_PROGRAM, submitJob, waitForStatus } from './jobs-programs.js';

const GiB = 1024 ** 3;

describe('KernelManager memory admission', () => {
  let host: ITestJobHost;
  let gw: ITestGateway;

  beforeAll(async () => {
    host = await createTestJobHost('jl-mb-');
    gw = await startTestGateway({
      limits: { memoryMaxBytes: 1 * GiB },
      memoryBudgetBytes: 2.5 * GiB
    });
  });

  afterAll(async () => {
    await gw?.dispose();
    await host?.dispose();
  });

  const start = (): Promise<Response> =>
    gw.api('/api/kernels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'jaxlab' })
    });

  it('should refuse the kernel that would pass the budget with 403 saying why, and admit it once memory is free', async () => {
    const first = await start();
    const second = await start();
    expect([first.status, second.status]).toEqual([201, 201]);
    const refused = await start();
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as {
      code: string;
      message: string;
      hint: string;
    };
    expect(body.code).toBe('KERNEL_LIMIT_REACHED');
    expect(body.message).toMatch(
      /gives its kernels 2\.5 GiB of memory in all; 2 kernel\(s\) hold 2 GiB .* needs 1 GiB/
    );
    expect(body.hint).toMatch(/Shut down a kernel/);
    expect(gw.kernels.list()).toHaveLength(2);

    const { id } = (await first.json()) as { id: string };
    expect(
      (await gw.api(`/api/kernels/${id}`, { method: 'DELETE' })).status
    ).toBe(204);
    expect((await start()).status).toBe(201);
  });

  it('should keep a job queued while its kernel would pass the budget, and run it after', async () => {
    for (const model of gw.kernels.list())
      await gw.kernels.shutdownKernel(model.id);
    const store: IStore = host.store;
    // The job runner starts kernels through the budgeted manager.
    const runner = await host.startRunner({
      kernels: gw.kernels,
      hostId: 'budget-host',
      maxConcurrentJobs: 3
    });
    try {
      // Two kernels fit (2 GiB of 2.5); the third job waits.
      const jobs = [];
      for (const tag of ['a', 'b', 'c']) {
        jobs.push(
          await submitJob(store, {
            code: SLEEP_PROGRAM,
            args: { seconds: 2, tag }
          })
        );
      }
      await Promise.all(
        jobs
          .slice(0, 2)
          .map(j => waitForStatus(store, j.id, ['RUNNING'], 60_000))
      );
      await new Promise(resolve => setTimeout(resolve, 500));
      expect((await store.jobs.get(jobs[2]!.id))!.status).toBe('QUEUED');
      const third = await waitForStatus(store, jobs[2]!.id, 'final', 60_000);
      expect(third.status).toBe('COMPLETED');
    } finally {
      await runner.dispose();
    }
  });
});
