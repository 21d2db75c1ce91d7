import { beforeEach, describe, expect, it } from 'vitest';
import type { IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import {
  ALICE,
  BOB,
  codeOf,
  jobInput,
  runningJob,
  useStoreBackend
} from './store-backend.js';

/**
 * The contract of {@link IJobs} (submit, read, list, cancel), run against
 * every backend by `test/integration/<backend>.test.ts`.
 */
export function describeJobsContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IJobs contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IJobs.create() / get()', () => {
      it('should store a QUEUED job with its snapshot and find it only for its owner', async () => {
        const job = await store.jobs.create(
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
        expect(await store.jobs.get(job.id, ALICE)).toEqual(job);
        expect(await store.jobs.get(job.id)).toEqual(job);
        expect(await store.jobs.get(job.id, BOB)).toBeNull();
        expect(await store.jobs.get('no-such-job', ALICE)).toBeNull();
      });

      it("should snapshot the project's other files, in order, and hand them to the claiming host", async () => {
        const files = [
          { path: 'models.py', content: 'class MLP:\n    pass\n' },
          { path: 'utils/__init__.py', content: '' },
          { path: 'utils/data.py', content: 'BATCH = 32\n' }
        ];
        const job = await store.jobs.create(ALICE, jobInput({ files }));
        expect(job.files).toEqual(files);
        expect((await store.jobs.get(job.id, ALICE))!.files).toEqual(files);
        const claimed = await store.queue.claimNext({
          hostId: 'host-a',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 60_000
        });
        expect(claimed?.files).toEqual(files);
        const plain = await store.jobs.create(ALICE, jobInput());
        expect(plain.files).toEqual([]);
      });
    });

    describe('IJobs.list()', () => {
      it('should page the owner’s jobs newest first, each exactly once', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          ids.push((await store.jobs.create(ALICE, jobInput())).id);
        }
        await store.jobs.create(BOB, jobInput());
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.jobs.list({
            owner: ALICE,
            limit: 3,
            cursor
          });
          pages++;
          for (const item of page.items) {
            expect(item).not.toHaveProperty('code');
            expect(item).not.toHaveProperty('files');
            expect(item).not.toHaveProperty('requirements');
            seen.push(item.id);
          }
          cursor = page.nextCursor;
        } while (cursor);
        expect(pages).toBe(3);
        expect(seen).toEqual([...ids].reverse());
        expect((await store.jobs.list({ owner: 'nobody' })).items).toEqual([]);
      });

      it('should filter by status and project', async () => {
        const a = await store.jobs.create(ALICE, jobInput({ projectId: 'p1' }));
        const b = await store.jobs.create(ALICE, jobInput({ projectId: 'p2' }));
        await store.jobs.create(ALICE, jobInput({ projectId: 'p1' }));
        await store.jobs.requestCancel(a.id, ALICE);
        const cancelled = await store.jobs.list({
          owner: ALICE,
          status: ['CANCELLED']
        });
        expect(cancelled.items.map(j => j.id)).toEqual([a.id]);
        const p2 = await store.jobs.list({ owner: ALICE, projectId: 'p2' });
        expect(p2.items.map(j => j.id)).toEqual([b.id]);
        const queuedP1 = await store.jobs.list({
          owner: ALICE,
          projectId: 'p1',
          status: ['QUEUED', 'RUNNING']
        });
        expect(queuedP1.items).toHaveLength(1);
        expect(
          (await store.jobs.list({ owner: BOB, projectId: 'p1' })).items
        ).toEqual([]);
      });

      it('should reject a cursor it did not make', async () => {
        expect(
          await codeOf(store.jobs.list({ owner: ALICE, cursor: 'garbage!' }))
        ).toBe('INVALID_REQUEST');
      });
    });

    describe('IJobs.update()', () => {
      it('should name, tag and annotate a job for its owner only, at any status', async () => {
        const job = await runningJob(store);
        const named = await store.jobs.update(job.id, ALICE, {
          name: 'baseline lr 0.1',
          tags: ['baseline', 'lr=0.1'],
          notes: 'first try'
        });
        expect(named).toMatchObject({
          status: 'RUNNING',
          name: 'baseline lr 0.1',
          tags: ['baseline', 'lr=0.1'],
          notes: 'first try'
        });
        expect(await store.jobs.update(job.id, BOB, { name: 'x' })).toBeNull();
        const cleared = await store.jobs.update(job.id, ALICE, {
          tags: [],
          name: ''
        });
        expect(cleared!.tags).toBeUndefined();
        expect(cleared!.name).toBeUndefined();
        expect(cleared!.notes).toBe('first try');
      });
    });

    describe('IJobs.queuePosition()', () => {
      it('should count the queued jobs of the same accelerator ahead of a job', async () => {
        const a = await store.jobs.create(ALICE, jobInput());
        await store.jobs.create(BOB, jobInput({ accelerator: 'tpu' }));
        const b = await store.jobs.create(BOB, jobInput());
        const c = await store.jobs.create(ALICE, jobInput());
        expect(await store.jobs.queuePosition(a.id)).toBe(1);
        expect(await store.jobs.queuePosition(b.id)).toBe(2);
        expect(await store.jobs.queuePosition(c.id)).toBe(3);
        await store.queue.claimNext({
          hostId: 'h',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 60_000
        });
        expect(await store.jobs.queuePosition(a.id)).toBeNull();
        expect(await store.jobs.queuePosition(c.id)).toBe(2);
      });
    });

    describe('IJobs.list() filters', () => {
      it('should filter by tag, name, arguments and metric value, across projects', async () => {
        const make = async (
          projectId: string,
          args: Record<string, string | number | boolean | null>,
          extra: { name?: string; tags?: string[] } = {}
        ): Promise<string> =>
          (
            await store.jobs.create(
              ALICE,
              jobInput({ projectId, args, ...extra })
            )
          ).id;
        const slow = await make(
          'p1',
          { lr: 0.01, opt: 'sgd' },
          { name: 'Slow run', tags: ['baseline'] }
        );
        const fast = await make(
          'p1',
          { lr: 0.1, opt: 'adam', wd: null },
          { name: 'fast RUN', tags: ['tuned', 'baseline'] }
        );
        const other = await make('p2', { lr: 0.1, opt: 'adam', flag: true });
        await store.jobs.create(
          BOB,
          jobInput({ args: { lr: 0.1 }, tags: ['baseline'] })
        );
        const ids = async (
          query: Omit<Parameters<typeof store.jobs.list>[0], 'owner'>
        ): Promise<string[]> =>
          (await store.jobs.list({ owner: ALICE, ...query })).items
            .map(j => j.id)
            .sort();
        expect(await ids({})).toEqual([slow, fast, other].sort());
        expect(await ids({ projectId: 'p1' })).toEqual([slow, fast].sort());
        expect(await ids({ tag: 'baseline' })).toEqual([slow, fast].sort());
        expect(await ids({ tag: 'tuned' })).toEqual([fast]);
        expect(await ids({ nameContains: 'run' })).toEqual([slow, fast].sort());
        expect(await ids({ nameContains: '%' })).toEqual([]);
        expect(await ids({ args: { lr: 0.1 } })).toEqual([fast, other].sort());
        expect(
          await ids({ args: { lr: 0.1, opt: 'adam', flag: true } })
        ).toEqual([other]);
        expect(await ids({ args: { wd: null } })).toEqual([fast]);
        expect(await ids({ args: { opt: 'sgd' }, projectId: 'p2' })).toEqual(
          []
        );

        // Metrics: a step series' last value wins over a run value of that name.
        for (const [id, loss, final] of [
          [slow, 0.9, 0.1],
          [fast, 0.2, 5]
        ] as const) {
          await store.queue.claimNext({
            hostId: 'h',
            capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
            leaseMs: 60_000
          });
          await store.events.append(id, [
            {
              type: 'job:series',
              progress: { step: 10, points: 11 },
              summary: {
                loss: { count: 11, lastStep: 10, last: loss, min: loss, max: 1 }
              }
            },
            {
              type: 'job:metrics',
              metrics: {
                executionTimeMs: 1,
                compilationTimeMs: 1,
                values: { loss: final, accuracy: final },
                device: { platform: 'cpu', count: 1 }
              }
            }
          ]);
        }
        expect(
          await ids({ metric: { name: 'loss', op: '<', value: 0.5 } })
        ).toEqual([fast]);
        expect(
          await ids({ metric: { name: 'loss', op: '>=', value: 0.2 } })
        ).toEqual([slow, fast].sort());
        expect(
          await ids({ metric: { name: 'accuracy', op: '>', value: 1 } })
        ).toEqual([fast]);
        expect(
          await ids({ metric: { name: 'accuracy', op: '=', value: 0.1 } })
        ).toEqual([slow]);
        expect(
          await ids({ metric: { name: 'nothing', op: '<', value: 1e9 } })
        ).toEqual([]);
        expect(
          await codeOf(store.jobs.list({ owner: ALICE, args: { 'a.b': 1 } }))
        ).toBe('INVALID_REQUEST');
      });
    });

    describe('IJobs.requestCancel()', () => {
      it('should end a QUEUED job CANCELLED at once so that no host can claim it', async () => {
        const job = await store.jobs.create(ALICE, jobInput());
        expect(await store.jobs.requestCancel(job.id, BOB)).toBeNull();
        expect((await store.jobs.get(job.id))!.status).toBe('QUEUED');
        const cancelled = await store.jobs.requestCancel(job.id, ALICE);
        expect(cancelled).toMatchObject({ status: 'CANCELLED', lastSeq: 1 });
        expect(cancelled!.finishedAt).toBeTruthy();
        const events = await store.events.read(job.id, 0, 10);
        expect(events).toMatchObject([
          { seq: 1, type: 'job:status', status: 'CANCELLED' }
        ]);
        expect(
          await store.queue.claimNext({
            hostId: 'h',
            capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
            leaseMs: 1000
          })
        ).toBeNull();
        expect(await store.jobs.requestCancel('missing', ALICE)).toBeNull();
      });

      it('should only flag a running job for its runner', async () => {
        const job = await runningJob(store, 'host-a');
        const flagged = await store.jobs.requestCancel(job.id, ALICE);
        expect(flagged).toMatchObject({
          status: 'RUNNING',
          cancelRequested: true
        });
        expect(await store.queue.renewLease(job.id, 'host-a', 60_000)).toEqual({
          held: true,
          cancelRequested: true
        });
      });
    });

    describe('IJobs.countByStatus()', () => {
      it('should count jobs by status, accelerator and failure reason', async () => {
        await runningJob(store, 'host-a');
        await store.jobs.create(ALICE, jobInput());
        await store.jobs.create(BOB, jobInput({ accelerator: 'tpu' }));
        const cancelled = await store.jobs.create(BOB, jobInput());
        await store.jobs.requestCancel(cancelled.id, BOB);
        const counts = await store.jobs.countByStatus();
        expect(
          Object.fromEntries(
            counts.map(c => [
              [c.status, c.accelerator, c.reason ?? '-'].join(' '),
              c.count
            ])
          )
        ).toEqual({
          'RUNNING cpu -': 1,
          'QUEUED cpu -': 1,
          'QUEUED tpu -': 1,
          'CANCELLED cpu CANCELLED': 1
        });
      });
    });
  });
}
