import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobEvent } from '@jaxlab/schemas';
import { LOG_TAIL_MAX_BYTES } from '@jaxlab/store';
import type { IJobStore, NewJobEvent } from '@jaxlab/store';

/** One backend under test: a fresh, initialised store per test. */
export interface IContractBackend {
  store: IJobStore;
  /** Another store on the same database (another connection/process view). */
  openPeer(): Promise<IJobStore>;
  /** Disposes the stores and removes what the backend created. */
  cleanup(): Promise<void>;
}

const ALICE = 'user-alice';
const BOB = 'user-bob';

function jobInput(
  overrides: Partial<IJobStore.ICreateJob> = {}
): IJobStore.ICreateJob {
  return {
    projectId: null,
    code: 'def main():\n    print("hi")\n',
    requirements: 'numpy>=1.26\n',
    entrypoint: 'main',
    args: { steps: 3, name: 'run' },
    accelerator: 'cpu',
    ...overrides
  };
}

function logLines(from: number, count: number): NewJobEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'job:log' as const,
    stream: 'stdout' as const,
    text: `line ${from + i}\n`
  }));
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

async function collect(
  iterable: AsyncIterable<JobEvent>,
  onEvent?: (event: JobEvent) => void
): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const event of iterable) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

/**
 * The contract every {@link IJobStore} meets, run unchanged against each
 * backend by `test/integration/<backend>.test.ts`.
 */
export function describeJobStoreContract(
  name: string,
  open: () => Promise<IContractBackend>
): void {
  describe(`IJobStore contract: ${name}`, () => {
    let backend: IContractBackend;
    let store: IJobStore;

    beforeEach(async () => {
      backend = await open();
      store = backend.store;
    });

    afterEach(async () => {
      await backend.cleanup();
    });

    /** A job claimed by `hostId` and RUNNING. */
    async function runningJob(hostId = 'host-a'): Promise<Job> {
      const created = await store.createJob(ALICE, jobInput());
      const claimed = await store.claimNextJob({
        hostId,
        accelerators: ['cpu'],
        leaseMs: 60_000
      });
      expect(claimed?.id).toBe(created.id);
      await store.appendEvents(
        created.id,
        [{ type: 'job:status', status: 'RUNNING' }],
        { hostId }
      );
      return (await store.getJob(created.id))!;
    }

    describe('IJobStore.createJob() / getJob()', () => {
      it('should store a QUEUED job with its snapshot and find it only for its owner', async () => {
        const job = await store.createJob(
          ALICE,
          jobInput({ timeLimitMs: 5000 })
        );
        expect(job).toMatchObject({
          owner: ALICE,
          status: 'QUEUED',
          lastSeq: 0,
          logTail: '',
          cancelRequested: false,
          code: jobInput().code,
          requirements: 'numpy>=1.26\n',
          args: { steps: 3, name: 'run' },
          timeLimitMs: 5000
        });
        expect(await store.getJob(job.id, ALICE)).toEqual(job);
        expect(await store.getJob(job.id)).toEqual(job);
        expect(await store.getJob(job.id, BOB)).toBeNull();
        expect(await store.getJob('no-such-job', ALICE)).toBeNull();
      });
    });

    describe('IJobStore.listJobs()', () => {
      it('should page the owner’s jobs newest first, each exactly once', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          ids.push((await store.createJob(ALICE, jobInput())).id);
        }
        await store.createJob(BOB, jobInput());
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listJobs({ owner: ALICE, limit: 3, cursor });
          pages++;
          for (const item of page.items) {
            expect(item).not.toHaveProperty('code');
            expect(item).not.toHaveProperty('requirements');
            seen.push(item.id);
          }
          cursor = page.nextCursor;
        } while (cursor);
        expect(pages).toBe(3);
        expect(seen).toEqual([...ids].reverse());
        expect((await store.listJobs({ owner: 'nobody' })).items).toEqual([]);
      });

      it('should filter by status and project', async () => {
        const a = await store.createJob(ALICE, jobInput({ projectId: 'p1' }));
        const b = await store.createJob(ALICE, jobInput({ projectId: 'p2' }));
        await store.createJob(ALICE, jobInput({ projectId: 'p1' }));
        await store.requestCancel(a.id, ALICE);
        const cancelled = await store.listJobs({
          owner: ALICE,
          status: ['CANCELLED']
        });
        expect(cancelled.items.map(j => j.id)).toEqual([a.id]);
        const p2 = await store.listJobs({ owner: ALICE, projectId: 'p2' });
        expect(p2.items.map(j => j.id)).toEqual([b.id]);
        const queuedP1 = await store.listJobs({
          owner: ALICE,
          projectId: 'p1',
          status: ['QUEUED', 'RUNNING']
        });
        expect(queuedP1.items).toHaveLength(1);
        expect(
          (await store.listJobs({ owner: BOB, projectId: 'p1' })).items
        ).toEqual([]);
      });

      it('should reject a cursor it did not make', async () => {
        expect(
          await codeOf(store.listJobs({ owner: ALICE, cursor: 'garbage!' }))
        ).toBe('INVALID_REQUEST');
      });
    });

    describe('IJobStore.requestCancel()', () => {
      it('should end a QUEUED job CANCELLED at once so that no host can claim it', async () => {
        const job = await store.createJob(ALICE, jobInput());
        expect(await store.requestCancel(job.id, BOB)).toBeNull();
        expect((await store.getJob(job.id))!.status).toBe('QUEUED');
        const cancelled = await store.requestCancel(job.id, ALICE);
        expect(cancelled).toMatchObject({ status: 'CANCELLED', lastSeq: 1 });
        expect(cancelled!.finishedAt).toBeTruthy();
        const events = await store.readEvents(job.id, 0, 10);
        expect(events).toMatchObject([
          { seq: 1, type: 'job:status', status: 'CANCELLED' }
        ]);
        expect(
          await store.claimNextJob({
            hostId: 'h',
            accelerators: ['cpu'],
            leaseMs: 1000
          })
        ).toBeNull();
        expect(await store.requestCancel('missing', ALICE)).toBeNull();
      });

      it('should only flag a running job for its runner', async () => {
        const job = await runningJob('host-a');
        const flagged = await store.requestCancel(job.id, ALICE);
        expect(flagged).toMatchObject({
          status: 'RUNNING',
          cancelRequested: true
        });
        expect(await store.renewLease(job.id, 'host-a', 60_000)).toEqual({
          held: true,
          cancelRequested: true
        });
      });
    });

    describe('IJobStore.claimNextJob()', () => {
      it('should claim the oldest job of an accepted accelerator with a COMPILING event', async () => {
        const cpu1 = await store.createJob(ALICE, jobInput());
        const tpu1 = await store.createJob(
          ALICE,
          jobInput({ accelerator: 'tpu' })
        );
        const cpu2 = await store.createJob(BOB, jobInput());
        const first = await store.claimNextJob({
          hostId: 'host-a',
          accelerators: ['cpu'],
          leaseMs: 60_000
        });
        expect(first).toMatchObject({
          id: cpu1.id,
          status: 'COMPILING',
          host: 'host-a',
          lastSeq: 1
        });
        expect(await store.readEvents(cpu1.id, 0, 10)).toMatchObject([
          { jobId: cpu1.id, seq: 1, type: 'job:status', status: 'COMPILING' }
        ]);
        const opts = {
          hostId: 'host-a',
          accelerators: ['cpu' as const],
          leaseMs: 60_000
        };
        expect((await store.claimNextJob(opts))?.id).toBe(cpu2.id);
        expect(await store.claimNextJob(opts)).toBeNull();
        const tpu = await store.claimNextJob({
          ...opts,
          accelerators: ['gpu', 'tpu']
        });
        expect(tpu?.id).toBe(tpu1.id);
      });

      it('should never give one job to two concurrent claimers', async () => {
        const peer = await backend.openPeer();
        const created = new Set<string>();
        for (let i = 0; i < 20; i++) {
          created.add((await store.createJob(ALICE, jobInput())).id);
        }
        const claimAll = async (
          s: IJobStore,
          hostId: string
        ): Promise<string[]> => {
          const got: string[] = [];
          for (;;) {
            const batch = await Promise.all(
              [0, 1, 2].map(() =>
                s.claimNextJob({
                  hostId,
                  accelerators: ['cpu'],
                  leaseMs: 60_000
                })
              )
            );
            const ids = batch.filter(j => j !== null).map(j => j!.id);
            got.push(...ids);
            if (ids.length < batch.length) return got;
          }
        };
        const [a, b] = await Promise.all([
          claimAll(store, 'host-a'),
          claimAll(peer, 'host-b')
        ]);
        const all = [...a, ...b];
        expect(new Set(all).size).toBe(all.length);
        expect(new Set(all)).toEqual(created);
        for (const id of a)
          expect((await store.getJob(id))!.host).toBe('host-a');
        for (const id of b)
          expect((await store.getJob(id))!.host).toBe('host-b');
        for (const id of all) expect((await store.getJob(id))!.lastSeq).toBe(1);
      });
    });

    describe('IJobStore.renewLease() / expireLapsedLeases()', () => {
      it('should renew only for the holder', async () => {
        const job = await runningJob('host-a');
        expect(await store.renewLease(job.id, 'host-a', 60_000)).toEqual({
          held: true,
          cancelRequested: false
        });
        expect((await store.renewLease(job.id, 'host-b', 60_000)).held).toBe(
          false
        );
      });

      it('should fail a job whose lease lapsed with HOST_LOST, and refuse its old holder', async () => {
        await store.createJob(ALICE, jobInput());
        const past = new Date(Date.now() - 60_000);
        const lapsed = await store.claimNextJob({
          hostId: 'host-dead',
          accelerators: ['cpu'],
          leaseMs: 1000,
          now: past
        });
        const alive = await store.createJob(ALICE, jobInput());
        await store.claimNextJob({
          hostId: 'host-ok',
          accelerators: ['cpu'],
          leaseMs: 60_000
        });

        const failed = await store.expireLapsedLeases();
        expect(failed.map(j => j.id)).toEqual([lapsed!.id]);
        const job = (await store.getJob(lapsed!.id))!;
        expect(job).toMatchObject({
          status: 'FAILED',
          failure: { reason: 'HOST_LOST' }
        });
        expect(job.finishedAt).toBeTruthy();
        expect(job.failure!.message).toContain('host-dead');
        const events = await store.readEvents(job.id, 0, 10);
        expect(events.map(e => e.seq)).toEqual([1, 2]);
        expect(events[1]).toMatchObject({
          type: 'job:status',
          status: 'FAILED',
          failure: { reason: 'HOST_LOST' }
        });
        expect((await store.getJob(alive.id))!.status).toBe('COMPILING');
        expect(
          await store.renewLease(job.id, 'host-dead', 60_000)
        ).toMatchObject({
          held: false
        });
        expect(
          await codeOf(
            store.appendEvents(job.id, logLines(0, 1), { hostId: 'host-dead' })
          )
        ).toBe('LEASE_LOST');
        expect(await store.expireLapsedLeases()).toEqual([]);
      });
    });

    describe('IJobStore.appendEvents()', () => {
      it('should number events without gaps and fold them into the job', async () => {
        const job = await runningJob('host-a');
        expect(job.status).toBe('RUNNING');
        expect(job.startedAt).toBeTruthy();
        const appended = await store.appendEvents(
          job.id,
          [
            ...logLines(0, 2),
            { type: 'job:log', stream: 'stderr', text: 'warn\n' }
          ],
          { hostId: 'host-a' }
        );
        expect(appended.map(e => e.seq)).toEqual([3, 4, 5]);
        expect(appended.every(e => e.jobId === job.id && e.time)).toBe(true);
        const metrics = {
          compilationTimeMs: 12.5,
          executionTimeMs: 40,
          values: { accuracy: 0.93, 'val.loss': 0.2 },
          device: { platform: 'cpu', count: 1, kinds: ['cpu'] }
        };
        await store.appendEvents(job.id, [{ type: 'job:metrics', metrics }], {
          hostId: 'host-a'
        });
        const failure = {
          reason: 'USER_ERROR' as const,
          message: 'boom',
          hint: 'fix it'
        };
        await store.appendEvents(
          job.id,
          [{ type: 'job:status', status: 'FAILED', failure }],
          { hostId: 'host-a' }
        );
        const done = (await store.getJob(job.id, ALICE))!;
        expect(done).toMatchObject({
          status: 'FAILED',
          failure,
          metrics,
          lastSeq: 7,
          logTail: 'line 0\nline 1\nwarn\n',
          startedAt: job.startedAt
        });
        expect(done.finishedAt! >= done.startedAt!).toBe(true);
        const events = await store.readEvents(job.id, 0, 100);
        expect(events.map(e => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        expect(events.map(e => e.type)).toEqual([
          'job:status',
          'job:status',
          'job:log',
          'job:log',
          'job:log',
          'job:metrics',
          'job:status'
        ]);
        expect(events[5]).toMatchObject({ metrics });
      });

      it('should keep a bounded log tail cut at a character boundary', async () => {
        const job = await runningJob();
        let full = '';
        for (let b = 0; b < 30; b++) {
          const events: NewJobEvent[] = [];
          for (let i = 0; i < 50; i++) {
            const text = `é😀 ${b}:${i} ${'x'.repeat(i % 7)}\n`;
            full += text;
            events.push({ type: 'job:log', stream: 'stdout', text });
          }
          await store.appendEvents(job.id, events, { hostId: 'host-a' });
        }
        const tail = (await store.getJob(job.id))!.logTail;
        expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(LOG_TAIL_MAX_BYTES);
        expect(Buffer.byteLength(tail)).toBeGreaterThan(LOG_TAIL_MAX_BYTES - 4);
        expect(full.endsWith(tail)).toBe(true);
        expect(tail).not.toContain('\uFFFD');
      });

      it('should refuse events after the final status, from a non-holder, or for a missing job', async () => {
        const job = await runningJob('host-a');
        expect(
          await codeOf(
            store.appendEvents(job.id, logLines(0, 1), { hostId: 'host-b' })
          )
        ).toBe('LEASE_LOST');
        await store.appendEvents(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          {
            hostId: 'host-a'
          }
        );
        expect(
          await codeOf(
            store.appendEvents(job.id, logLines(0, 1), { hostId: 'host-a' })
          )
        ).toBe('JOB_FINISHED');
        expect(await codeOf(store.appendEvents(job.id, logLines(0, 1)))).toBe(
          'JOB_FINISHED'
        );
        expect(
          await codeOf(store.appendEvents('missing', logLines(0, 1)))
        ).toBe('JOB_NOT_FOUND');
        expect((await store.getJob(job.id))!.lastSeq).toBe(3);
      });
    });

    describe('IJobStore.readEvents() / readLogs()', () => {
      it('should page events and log chunks by sequence', async () => {
        const job = await runningJob();
        await store.appendEvents(job.id, logLines(0, 10), { hostId: 'host-a' });
        const page1 = await store.readEvents(job.id, 0, 4);
        expect(page1.map(e => e.seq)).toEqual([1, 2, 3, 4]);
        const page2 = await store.readEvents(job.id, 4, 100);
        expect(page2.map(e => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
        const logs = await store.readLogs(job.id, 0, 3);
        expect(logs).toEqual([
          {
            jobId: job.id,
            seq: 3,
            stream: 'stdout',
            text: 'line 0\n',
            time: logs[0].time
          },
          {
            jobId: job.id,
            seq: 4,
            stream: 'stdout',
            text: 'line 1\n',
            time: logs[1].time
          },
          {
            jobId: job.id,
            seq: 5,
            stream: 'stdout',
            text: 'line 2\n',
            time: logs[2].time
          }
        ]);
        expect((await store.readLogs(job.id, 10, 100)).map(l => l.seq)).toEqual(
          [11, 12]
        );
        expect(await store.readLogs(job.id, 12, 100)).toEqual([]);
      });
    });

    describe('IJobStore.watchEvents()', () => {
      it('should deliver stored then live events once, in order, and end after the final status', async () => {
        const job = await runningJob();
        await store.appendEvents(job.id, logLines(0, 3), { hostId: 'host-a' });
        const watching = collect(store.watchEvents(job.id, 0));
        await sleep(30);
        await store.appendEvents(job.id, logLines(3, 3), { hostId: 'host-a' });
        await sleep(30);
        await store.appendEvents(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          {
            hostId: 'host-a'
          }
        );
        const events = await watching;
        expect(events.map(e => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(events.at(-1)).toMatchObject({
          type: 'job:status',
          status: 'COMPLETED'
        });
        // Resuming after some seq gives the rest; after the final one, nothing.
        expect(
          (await collect(store.watchEvents(job.id, 6))).map(e => e.seq)
        ).toEqual([7, 8, 9]);
        expect(await collect(store.watchEvents(job.id, 9))).toEqual([]);
      });

      it('should deliver events appended through another connection', async () => {
        const peer = await backend.openPeer();
        const job = await runningJob('host-a');
        const watching = collect(store.watchEvents(job.id, 2));
        for (let i = 0; i < 5; i++) {
          await peer.appendEvents(job.id, logLines(i * 2, 2), {
            hostId: 'host-a'
          });
          await sleep(10);
        }
        await peer.appendEvents(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          {
            hostId: 'host-a'
          }
        );
        const events = await watching;
        expect(events.map(e => e.seq)).toEqual([
          3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
        ]);
      });

      it('should stop when its signal aborts', async () => {
        const job = await runningJob();
        const controller = new AbortController();
        const watching = collect(
          store.watchEvents(job.id, 0, controller.signal)
        );
        await sleep(50);
        controller.abort();
        const events = await watching;
        expect(events.map(e => e.seq)).toEqual([1, 2]);
      });
    });

    describe('100,000 log lines', () => {
      it('should arrive through watchEvents and readLogs complete and in order', async () => {
        const job = await runningJob();
        const lines = 100_000;
        const perBatch = 500;
        let expected = '';
        for (let i = 0; i < lines; i++) expected += `line ${i}\n`;

        let watched = '';
        const watching = collect(store.watchEvents(job.id, 0), event => {
          if (event.type === 'job:log') watched += event.text;
        });
        for (let i = 0; i < lines; i += perBatch) {
          await store.appendEvents(job.id, logLines(i, perBatch), {
            hostId: 'host-a'
          });
        }
        await store.appendEvents(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          {
            hostId: 'host-a'
          }
        );
        const events = await watching;
        expect(events).toHaveLength(lines + 3);
        expect(events.every((e, i) => e.seq === i + 1)).toBe(true);
        expect(watched === expected).toBe(true);

        let read = '';
        let after = 0;
        for (;;) {
          const chunks = await store.readLogs(job.id, after, 5000);
          if (chunks.length === 0) break;
          for (const chunk of chunks) read += chunk.text;
          after = chunks[chunks.length - 1].seq;
        }
        expect(read === expected).toBe(true);
        const done = (await store.getJob(job.id))!;
        expect(done.lastSeq).toBe(lines + 3);
        expect(expected.endsWith(done.logTail)).toBe(true);
      }, 90_000);
    });

    describe('IJobStore.setManifest()', () => {
      it('should record the run manifest on the job', async () => {
        const job = await runningJob();
        const manifest = {
          codeSha256: 'a'.repeat(64),
          requirementsSha256: 'b'.repeat(64),
          entrypoint: 'main',
          args: { steps: 3 },
          host: 'host-a',
          gatewayVersion: '0.1.0',
          jax: '0.10.2',
          packages: { 'zope.interface': '7.0', numpy: '2.1.0' }
        };
        await store.setManifest(job.id, manifest);
        expect((await store.getJob(job.id, ALICE))!.manifest).toEqual(manifest);
        expect(await codeOf(store.setManifest('missing', manifest))).toBe(
          'JOB_NOT_FOUND'
        );
      });
    });

    describe('IJobStore.deleteLogsFinishedBefore()', () => {
      it('should delete the logs of finished jobs only, keeping summary, metrics and status events', async () => {
        const metrics = {
          compilationTimeMs: 1,
          executionTimeMs: 2,
          values: { accuracy: 0.5 },
          device: { platform: 'cpu', count: 1 }
        };
        const finish = async (
          projectId: string,
          final: boolean
        ): Promise<string> => {
          const job = await store.createJob(ALICE, jobInput({ projectId }));
          await store.claimNextJob({
            hostId: 'h',
            accelerators: ['cpu'],
            leaseMs: 60_000
          });
          const events: NewJobEvent[] = [
            { type: 'job:status', status: 'RUNNING' },
            ...logLines(0, 3),
            { type: 'job:metrics', metrics }
          ];
          if (final) events.push({ type: 'job:status', status: 'COMPLETED' });
          await store.appendEvents(job.id, events, { hostId: 'h' });
          return job.id;
        };
        const old = await finish('p1', true);
        const running = await finish('p1', false);
        const other = await finish('p2', true);
        const cutoff = new Date(Date.now() + 60_000);
        expect(await store.deleteLogsFinishedBefore('p1', cutoff)).toBe(1);
        expect(await store.readLogs(old, 0, 100)).toEqual([]);
        const kept = await store.readEvents(old, 0, 100);
        expect(kept.map(e => e.type)).toEqual([
          'job:status',
          'job:status',
          'job:metrics',
          'job:status'
        ]);
        expect(await store.getJob(old)).toMatchObject({
          status: 'COMPLETED',
          metrics,
          logsDeleted: true,
          lastSeq: 7
        });
        expect(await store.readLogs(running, 0, 100)).toHaveLength(3);
        expect(await store.readLogs(other, 0, 100)).toHaveLength(3);
        expect(await store.deleteLogsFinishedBefore('p1', cutoff)).toBe(0);
        expect(await store.deleteLogsFinishedBefore('p2', new Date(0))).toBe(0);
      });
    });

    describe('IJobStore projects', () => {
      it('should create, read, list, update and delete projects per owner', async () => {
        const p = await store.createProject(ALICE, {
          name: 'mnist',
          mainPy: 'x = 1\n'
        });
        expect(p).toMatchObject({
          owner: ALICE,
          name: 'mnist',
          mainPy: 'x = 1\n',
          readme: '',
          requirements: '',
          designatedFunctions: ['main', 'train_step']
        });
        const q = await store.createProject(ALICE, {
          name: 'kept',
          logRetentionDays: 7
        });
        await store.createProject(BOB, { name: 'bob’s' });
        expect(await store.getProject(p.id, ALICE)).toEqual(p);
        expect(await store.getProject(p.id, BOB)).toBeNull();
        expect((await store.listProjects(ALICE)).map(x => x.id)).toEqual([
          p.id,
          q.id
        ]);
        expect(
          (await store.listProjectsWithRetention()).map(x => x.id)
        ).toEqual([q.id]);

        expect(
          await store.updateProject(p.id, BOB, { name: 'stolen' })
        ).toBeNull();
        const updated = await store.updateProject(p.id, ALICE, {
          readme: '# MNIST',
          logRetentionDays: 30
        });
        expect(updated).toMatchObject({
          id: p.id,
          name: 'mnist',
          readme: '# MNIST'
        });
        expect(await store.getProject(p.id, ALICE)).toEqual(updated);
        expect(
          (await store.listProjectsWithRetention()).map(x => x.id).sort()
        ).toEqual([p.id, q.id].sort());

        const job = await store.createJob(ALICE, jobInput({ projectId: p.id }));
        expect(await store.deleteProject(p.id, BOB)).toBe(false);
        expect(await store.deleteProject(p.id, ALICE)).toBe(true);
        expect(await store.getProject(p.id, ALICE)).toBeNull();
        expect(await store.deleteProject(p.id, ALICE)).toBe(false);
        expect((await store.getJob(job.id))!.projectId).toBe(p.id);
      });
    });

    describe('IJobStore users, sessions and tokens', () => {
      it('should upsert users by provider and subject', async () => {
        const a = await store.upsertUser({
          provider: 'google',
          subject: '123',
          email: 'a@example.com',
          name: 'A'
        });
        const again = await store.upsertUser({
          provider: 'google',
          subject: '123',
          email: 'a2@example.com',
          name: 'A2'
        });
        expect(again).toEqual({
          id: a.id,
          email: 'a2@example.com',
          name: 'A2',
          provider: 'google'
        });
        const local = await store.upsertUser({
          provider: 'local',
          subject: '123',
          email: '',
          name: 'me'
        });
        expect(local.id).not.toBe(a.id);
        expect(await store.getUser(a.id)).toEqual(again);
        expect(await store.getUser('missing')).toBeNull();
      });

      it('should keep sessions until they expire', async () => {
        const soon = new Date(Date.now() + 60_000);
        await store.putSession(
          'sid-1',
          { passport: { user: 'u1' }, n: 1 },
          soon
        );
        expect(await store.getSession('sid-1')).toEqual({
          passport: { user: 'u1' },
          n: 1
        });
        await store.putSession('sid-1', { n: 2 }, soon);
        expect(await store.getSession('sid-1')).toEqual({ n: 2 });
        expect(
          await store.getSession('sid-1', new Date(soon.getTime() + 1))
        ).toBeNull();
        await store.putSession('sid-2', { n: 3 }, soon);
        await store.deleteSession('sid-2');
        expect(await store.getSession('sid-2')).toBeNull();
        expect(await store.getSession('missing')).toBeNull();
      });

      it('should find users by token hash, record use, and forget revoked tokens', async () => {
        const user = await store.upsertUser({
          provider: 'local',
          subject: 'local',
          email: '',
          name: 'Local'
        });
        const token = await store.createApiToken(user.id, 'ci', 'hash-1');
        expect(token).toMatchObject({ name: 'ci' });
        expect(token).not.toHaveProperty('token');
        expect(await store.listApiTokens(user.id)).toEqual([token]);
        expect(await store.listApiTokens(BOB)).toEqual([]);
        expect(await store.findUserByTokenHash('hash-1')).toEqual(user);
        const [used] = await store.listApiTokens(user.id);
        expect(used.lastUsedAt).toBeTruthy();
        expect(JSON.stringify(used)).not.toContain('hash-1');
        expect(await store.findUserByTokenHash('hash-2')).toBeNull();
        expect(await store.revokeApiToken(token.id, BOB)).toBe(false);
        expect(await store.revokeApiToken(token.id, user.id)).toBe(true);
        expect(await store.findUserByTokenHash('hash-1')).toBeNull();
        expect(await store.listApiTokens(user.id)).toEqual([]);
      });
    });

    describe('IJobStore hosts', () => {
      it('should register hosts and list those seen recently', async () => {
        const old = new Date(Date.now() - 3_600_000).toISOString();
        const host = {
          hostId: 'host-a',
          gatewayVersion: '0.1.0',
          accelerators: [{ kind: 'cpu' as const, count: 1 }],
          maxConcurrentJobs: 2,
          lastSeenAt: old
        };
        await store.upsertHost(host);
        await store.upsertHost({ ...host, hostId: 'host-b' });
        const since = new Date(Date.now() - 60_000);
        expect(await store.listHosts(since)).toEqual([]);
        const now = new Date().toISOString();
        await store.upsertHost({ ...host, runningJobs: 1, lastSeenAt: now });
        expect(await store.listHosts(since)).toEqual([
          { ...host, runningJobs: 1, lastSeenAt: now }
        ]);
        expect((await store.listHosts(new Date(0))).map(h => h.hostId)).toEqual(
          ['host-a', 'host-b']
        );
      });
    });
  });
}
