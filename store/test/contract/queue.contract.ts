import { beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '@jaxlab/schemas';
import type { IJobQueue, IStore } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import {
  ALICE,
  BOB,
  codeOf,
  jobInput,
  logLines,
  runningJob,
  useStoreBackend
} from './store-backend.js';

/**
 * The contract of {@link IJobQueue} (atomic claims, leases, the HOST_LOST
 * sweep), run against every backend by `test/integration/<backend>.test.ts`.
 */
export function describeJobQueueContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`IJobQueue contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IJobQueue.claimNext()', () => {
      it('should claim the oldest job of an accepted accelerator with a COMPILING event', async () => {
        const cpu1 = await store.jobs.create(ALICE, jobInput());
        const tpu1 = await store.jobs.create(
          ALICE,
          jobInput({ accelerator: 'tpu' })
        );
        const cpu2 = await store.jobs.create(BOB, jobInput());
        const first = await store.queue.claimNext({
          hostId: 'host-a',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 60_000
        });
        expect(first).toMatchObject({
          id: cpu1.id,
          status: 'COMPILING',
          host: 'host-a',
          lastSeq: 1
        });
        expect(await store.events.read(cpu1.id, 0, 10)).toMatchObject([
          { jobId: cpu1.id, seq: 1, type: 'job:status', status: 'COMPILING' }
        ]);
        const opts = {
          hostId: 'host-a',
          capacity: [{ accelerator: 'cpu' as const, maxDevices: 1 }],
          leaseMs: 60_000
        };
        expect((await store.queue.claimNext(opts))?.id).toBe(cpu2.id);
        expect(await store.queue.claimNext(opts)).toBeNull();
        const tpu = await store.queue.claimNext({
          ...opts,
          capacity: [
            { accelerator: 'gpu', maxDevices: 1 },
            { accelerator: 'tpu', maxDevices: 8 }
          ]
        });
        expect(tpu?.id).toBe(tpu1.id);
      });

      it('should claim a job only when the host can give it as many devices as it asked for', async () => {
        const two = await store.jobs.create(
          ALICE,
          jobInput({ accelerator: 'gpu', deviceCount: 2 })
        );
        const one = await store.jobs.create(
          BOB,
          jobInput({ accelerator: 'gpu' })
        );
        expect(one.deviceCount).toBe(1);
        const gpus = (maxDevices: number, minDevices?: number) => ({
          hostId: 'host-a',
          capacity: [{ accelerator: 'gpu' as const, maxDevices, minDevices }],
          leaseMs: 60_000
        });
        // One GPU free: the older two-GPU job waits, the one-GPU job fits.
        expect((await store.queue.claimNext(gpus(1)))?.id).toBe(one.id);
        expect(await store.queue.claimNext(gpus(1))).toBeNull();
        // Asking only for jobs larger than a host has (the unservable sweep).
        expect(await store.queue.claimNext(gpus(256, 3))).toBeNull();
        const claimed = await store.queue.claimNext(gpus(2));
        expect(claimed).toMatchObject({ id: two.id, deviceCount: 2 });
      });

      it('should never give one job to two concurrent claimers', async () => {
        const peer = await current.backend.openPeer();
        const created = new Set<string>();
        for (let i = 0; i < 20; i++) {
          created.add((await store.jobs.create(ALICE, jobInput())).id);
        }
        const claimAll = async (
          s: IStore,
          hostId: string
        ): Promise<string[]> => {
          const got: string[] = [];
          for (;;) {
            const batch = await Promise.all(
              [0, 1, 2].map(() =>
                s.queue.claimNext({
                  hostId,
                  capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
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
          expect((await store.jobs.get(id))!.host).toBe('host-a');
        for (const id of b)
          expect((await store.jobs.get(id))!.host).toBe('host-b');
        for (const id of all)
          expect((await store.jobs.get(id))!.lastSeq).toBe(1);
      });
    });

    describe('fair order, per-owner cap, requeue', () => {
      const claim = (
        extra: Partial<IJobQueue.IClaimOptions> = {},
        s: IStore = store
      ): Promise<Job | null> =>
        s.queue.claimNext({
          hostId: 'host-a',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 60_000,
          ...extra
        });
      const finish = (job: Job, hostId = 'host-a'): Promise<unknown> =>
        store.events.append(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          { hostId }
        );

      it("should take turns between users instead of serving one user's backlog first", async () => {
        const alice: string[] = [];
        for (let i = 0; i < 4; i++)
          alice.push((await store.jobs.create(ALICE, jobInput())).id);
        const bob = (await store.jobs.create(BOB, jobInput())).id;
        const order: string[] = [];
        for (let i = 0; i < 5; i++) order.push((await claim())!.id);
        expect(order).toEqual([alice[0], bob, alice[1], alice[2], alice[3]]);
      });

      it("should say a queued job's position in its accelerator's queue, in claim order", async () => {
        const a1 = await store.jobs.create(ALICE, jobInput());
        const a2 = await store.jobs.create(ALICE, jobInput());
        const tpu = await store.jobs.create(
          ALICE,
          jobInput({ accelerator: 'tpu' })
        );
        const b1 = await store.jobs.create(BOB, jobInput());
        expect(await store.jobs.queuePosition(a1.id)).toBe(1);
        expect(await store.jobs.queuePosition(b1.id)).toBe(2);
        expect(await store.jobs.queuePosition(a2.id)).toBe(3);
        expect(await store.jobs.queuePosition(tpu.id)).toBe(1);
        await claim();
        expect(await store.jobs.queuePosition(a1.id)).toBeNull();
        expect(await store.jobs.queuePosition(a2.id)).toBe(2);
      });

      it('should pass over an owner at the cap until one of their jobs ends', async () => {
        const alice: string[] = [];
        for (let i = 0; i < 4; i++)
          alice.push((await store.jobs.create(ALICE, jobInput())).id);
        const bob = (await store.jobs.create(BOB, jobInput())).id;
        const capped = { maxJobsPerOwner: 2 };
        const first = (await claim(capped))!;
        const got = [first.id, (await claim(capped))!.id];
        got.push((await claim(capped))!.id);
        expect(got).toEqual([alice[0], bob, alice[1]]);
        expect(await claim(capped)).toBeNull();
        await finish(first);
        expect((await claim(capped))?.id).toBe(alice[2]);
        expect(await claim(capped)).toBeNull();
        expect((await claim())?.id).toBe(alice[3]);
      });

      it('should hold the cap when claimers on two connections race', async () => {
        const peer = await current.backend.openPeer();
        for (let i = 0; i < 12; i++) await store.jobs.create(ALICE, jobInput());
        const capped = { maxJobsPerOwner: 3 };
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            claim({ ...capped, hostId: `host-${i % 2}` }, i % 2 ? peer : store)
          )
        );
        expect(claims.filter(j => j !== null)).toHaveLength(3);
        const active = await store.jobs.list({
          owner: ALICE,
          status: ['COMPILING', 'RUNNING']
        });
        expect(active.items).toHaveLength(3);
      });

      it('should claim only jobs queued before queuedBefore', async () => {
        const job = await store.jobs.create(ALICE, jobInput());
        const before = new Date(Date.parse(job.createdAt) - 1);
        expect(await claim({ queuedBefore: before })).toBeNull();
        const after = new Date(Date.parse(job.createdAt) + 1);
        expect((await claim({ queuedBefore: after }))?.id).toBe(job.id);
      });

      it('should hand a job back to the queue at its place, on its second attempt', async () => {
        const first = await store.jobs.create(ALICE, jobInput());
        const second = await store.jobs.create(BOB, jobInput());
        const capped = { maxJobsPerOwner: 1 };
        const claimed = (await claim(capped))!;
        expect(claimed.id).toBe(first.id);
        expect(await store.queue.requeue(first.id, 'host-b')).toBe(false);
        expect(await store.queue.requeue(first.id, 'host-a')).toBe(true);
        const job = (await store.jobs.get(first.id))!;
        expect(job).toMatchObject({ status: 'QUEUED', attempt: 2 });
        expect(job.host).toBeUndefined();
        const events = await store.events.read(first.id, 0, 10);
        expect(events.map(e => [e.seq, 'status' in e && e.status])).toEqual([
          [1, 'COMPILING'],
          [2, 'QUEUED']
        ]);
        expect(
          (await store.queue.renewLease(first.id, 'host-a', 1000)).held
        ).toBe(false);
        // Its owner's place came back with it: the cap lets it run again.
        const again = (await claim({ ...capped, hostId: 'host-b' }))!;
        expect(again).toMatchObject({ id: first.id, host: 'host-b' });
        expect((await claim())?.id).toBe(second.id);
      });
    });

    describe('IJobQueue.renewLease() / expireLapsedLeases()', () => {
      it('should renew only for the holder', async () => {
        const job = await runningJob(store, 'host-a');
        expect(await store.queue.renewLease(job.id, 'host-a', 60_000)).toEqual({
          held: true,
          cancelRequested: false
        });
        expect(
          (await store.queue.renewLease(job.id, 'host-b', 60_000)).held
        ).toBe(false);
      });

      it('should fail a job whose lease lapsed with HOST_LOST, and refuse its old holder', async () => {
        await store.jobs.create(ALICE, jobInput());
        const past = new Date(Date.now() - 60_000);
        const lapsed = await store.queue.claimNext({
          hostId: 'host-dead',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 1000,
          now: past
        });
        const alive = await store.jobs.create(ALICE, jobInput());
        await store.queue.claimNext({
          hostId: 'host-ok',
          capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
          leaseMs: 60_000
        });

        const failed = await store.queue.expireLapsedLeases();
        expect(failed.map(j => j.id)).toEqual([lapsed!.id]);
        const job = (await store.jobs.get(lapsed!.id))!;
        expect(job).toMatchObject({
          status: 'FAILED',
          failure: { reason: 'HOST_LOST' }
        });
        expect(job.finishedAt).toBeTruthy();
        expect(job.failure!.message).toContain('host-dead');
        const events = await store.events.read(job.id, 0, 10);
        expect(events.map(e => e.seq)).toEqual([1, 2]);
        expect(events[1]).toMatchObject({
          type: 'job:status',
          status: 'FAILED',
          failure: { reason: 'HOST_LOST' }
        });
        expect((await store.jobs.get(alive.id))!.status).toBe('COMPILING');
        expect(
          await store.queue.renewLease(job.id, 'host-dead', 60_000)
        ).toMatchObject({
          held: false
        });
        expect(
          await codeOf(
            store.events.append(job.id, logLines(0, 1), { hostId: 'host-dead' })
          )
        ).toBe('LEASE_LOST');
        expect(await store.queue.expireLapsedLeases()).toEqual([]);
      });
    });
  });
}
