import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import type { IStore, NewJobEvent } from '@jaxlab/store';
import { RetentionSweeper } from './retention-sweeper.js';

const DAY = 24 * 3600 * 1000;
let stores: IStore[] = [];
afterEach(async () => {
  for (const s of stores) await s.dispose();
  stores = [];
});

async function finishedJob(
  store: IStore,
  owner: string,
  projectId: string
): Promise<string> {
  const job = await store.jobs.create(owner, {
    projectId,
    code: 'def main():\n    print("hi")\n',
    requirements: '',
    entrypoint: 'main',
    args: {},
    accelerator: 'cpu'
  });
  const claimed = await store.queue.claimNext({
    hostId: 'h',
    capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
    leaseMs: 60_000
  });
  expect(claimed?.id).toBe(job.id);
  const events: NewJobEvent[] = [
    { type: 'job:status', status: 'RUNNING' },
    { type: 'job:log', stream: 'stdout', text: 'hi\nFinal loss: 0.5\n' },
    {
      type: 'job:metrics',
      metrics: {
        executionTimeMs: 5,
        compilationTimeMs: 1,
        values: { loss: 0.5 },
        device: { platform: 'cpu', count: 1 }
      }
    } as NewJobEvent,
    { type: 'job:status', status: 'COMPLETED' }
  ];
  await store.events.append(job.id, events, { hostId: 'h' });
  return job.id;
}

describe('RetentionSweeper.sweepOnce()', () => {
  it('should delete old log chunks but keep the summary and metrics', async () => {
    const store = await openStore({ sqlite: { path: ':memory:' } });
    stores.push(store);
    const kept = await store.projects.create('u1', { name: 'forever' });
    const swept = await store.projects.create('u1', {
      name: 'week',
      logRetentionDays: 7
    });
    const keptJob = await finishedJob(store, 'u1', kept.id);
    const sweptJob = await finishedJob(store, 'u1', swept.id);
    expect(await store.events.readLogs(sweptJob, 0, 100)).toHaveLength(1);
    for (const job of [keptJob, sweptJob])
      await store.artifacts.put(job, {
        name: 'plot.png',
        data: Buffer.from(job)
      });

    // Six days on, nothing is old enough.
    let now = new Date(Date.now() + 6 * DAY);
    const sweeper = new RetentionSweeper({
      projects: store.projects,
      events: store.events,
      artifacts: store.artifacts,
      now: () => now
    });
    expect(await sweeper.sweepOnce()).toEqual({
      projects: 1,
      jobs: 0,
      artifacts: 0
    });
    expect(await store.events.readLogs(sweptJob, 0, 100)).toHaveLength(1);

    now = new Date(Date.now() + 8 * DAY);
    expect(await sweeper.sweepOnce()).toMatchObject({ jobs: 1, artifacts: 1 });
    expect(await store.events.readLogs(sweptJob, 0, 100)).toHaveLength(0);
    const [sweptArtifact] = await store.artifacts.list(sweptJob);
    expect(sweptArtifact).toMatchObject({
      name: 'plot.png',
      deletedAt: expect.any(String)
    });
    expect((await store.artifacts.list(keptJob))[0].deletedAt).toBeUndefined();
    const job = await store.jobs.get(sweptJob, 'u1');
    expect(job?.status).toBe('COMPLETED');
    expect(job?.logsDeleted).toBe(true);
    expect(job?.metrics?.values).toEqual({ loss: 0.5 });
    expect(await store.events.readLogs(keptJob, 0, 100)).toHaveLength(1);
    await sweeper.dispose();
  });

  it('should sweep on start and stop on dispose', async () => {
    const store = await openStore({ sqlite: { path: ':memory:' } });
    stores.push(store);
    const p = await store.projects.create('u1', {
      name: 'day',
      logRetentionDays: 1
    });
    const jobId = await finishedJob(store, 'u1', p.id);
    const sweeper = new RetentionSweeper({
      projects: store.projects,
      events: store.events,
      now: () => new Date(Date.now() + 2 * DAY),
      intervalMs: 60_000
    }).start();
    await sweeper.dispose();
    expect(await store.events.readLogs(jobId, 0, 100)).toHaveLength(0);
  });
});
