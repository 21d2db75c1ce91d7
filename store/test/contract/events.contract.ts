// The contract of one resource, the job events (append, read, logs, watch by
// change stream and by sequence tail, manifest, retention), run against every
// backend: one suite per resource, hence one file over ~400 lines.
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { LOG_TAIL_MAX_BYTES } from '@jaxlab/store';
import type { JobEvent } from '@jaxlab/schemas';
import type { IStore, NewJobEvent } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import {
  ALICE,
  codeOf,
  collect,
  jobInput,
  logLines,
  runningJob,
  until,
  useStoreBackend
} from './store-backend.js';

/**
 * The contract of {@link IJobEvents} (numbering and folding, reads, live
 * watching across connections, manifests, log retention), run against every
 * backend by `test/integration/<backend>.test.ts`; on MongoDB once per way
 * of learning of other processes' appends (change stream, sequence tail).
 */
export function describeJobEventsContract(
  name: string,
  open: OpenStoreBackend,
  options: { hasNetwork?: boolean } = {}
): void {
  describe(`IJobEvents contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    describe('IJobEvents.append()', () => {
      it('should number events without gaps and fold them into the job', async () => {
        const job = await runningJob(store, 'host-a');
        expect(job.status).toBe('RUNNING');
        expect(job.startedAt).toBeTruthy();
        const appended = await store.events.append(
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
        await store.events.append(job.id, [{ type: 'job:metrics', metrics }], {
          hostId: 'host-a'
        });
        const failure = {
          reason: 'USER_ERROR' as const,
          message: 'boom',
          hint: 'fix it'
        };
        await store.events.append(
          job.id,
          [{ type: 'job:status', status: 'FAILED', failure }],
          { hostId: 'host-a' }
        );
        const done = (await store.jobs.get(job.id, ALICE))!;
        expect(done).toMatchObject({
          status: 'FAILED',
          failure,
          metrics,
          lastSeq: 7,
          logTail: 'line 0\nline 1\nwarn\n',
          startedAt: job.startedAt
        });
        expect(done.finishedAt! >= done.startedAt!).toBe(true);
        const events = await store.events.read(job.id, 0, 100);
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
        const job = await runningJob(store);
        let full = '';
        for (let b = 0; b < 30; b++) {
          const events: NewJobEvent[] = [];
          for (let i = 0; i < 50; i++) {
            const text = `é😀 ${b}:${i} ${'x'.repeat(i % 7)}\n`;
            full += text;
            events.push({ type: 'job:log', stream: 'stdout', text });
          }
          await store.events.append(job.id, events, { hostId: 'host-a' });
        }
        const tail = (await store.jobs.get(job.id))!.logTail;
        expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(LOG_TAIL_MAX_BYTES);
        expect(Buffer.byteLength(tail)).toBeGreaterThan(LOG_TAIL_MAX_BYTES - 4);
        expect(full.endsWith(tail)).toBe(true);
        expect(tail).not.toContain('\uFFFD');
      });

      it('should refuse events after the final status, from a non-holder, or for a missing job', async () => {
        const job = await runningJob(store, 'host-a');
        expect(
          await codeOf(
            store.events.append(job.id, logLines(0, 1), { hostId: 'host-b' })
          )
        ).toBe('LEASE_LOST');
        await store.events.append(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          {
            hostId: 'host-a'
          }
        );
        expect(
          await codeOf(
            store.events.append(job.id, logLines(0, 1), { hostId: 'host-a' })
          )
        ).toBe('JOB_FINISHED');
        expect(await codeOf(store.events.append(job.id, logLines(0, 1)))).toBe(
          'JOB_FINISHED'
        );
        expect(
          await codeOf(store.events.append('missing', logLines(0, 1)))
        ).toBe('JOB_NOT_FOUND');
        expect((await store.jobs.get(job.id))!.lastSeq).toBe(3);
      });
    });

    describe('IJobEvents.read() / readLogs()', () => {
      it('should page events and log chunks by sequence', async () => {
        const job = await runningJob(store);
        await store.events.append(job.id, logLines(0, 10), {
          hostId: 'host-a'
        });
        const page1 = await store.events.read(job.id, 0, 4);
        expect(page1.map(e => e.seq)).toEqual([1, 2, 3, 4]);
        const page2 = await store.events.read(job.id, 4, 100);
        expect(page2.map(e => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
        const logs = await store.events.readLogs(job.id, 0, 3);
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
        expect(
          (await store.events.readLogs(job.id, 10, 100)).map(l => l.seq)
        ).toEqual([11, 12]);
        expect(await store.events.readLogs(job.id, 12, 100)).toEqual([]);
      });
    });

    describe('IJobEvents.watch()', () => {
      it('should deliver stored then live events once, in order, and end after the final status', async () => {
        const job = await runningJob(store);
        await store.events.append(job.id, logLines(0, 3), { hostId: 'host-a' });
        const watching = collect(store.events.watch(job.id, 0));
        await sleep(30);
        await store.events.append(job.id, logLines(3, 3), { hostId: 'host-a' });
        await sleep(30);
        await store.events.append(
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
          (await collect(store.events.watch(job.id, 6))).map(e => e.seq)
        ).toEqual([7, 8, 9]);
        expect(await collect(store.events.watch(job.id, 9))).toEqual([]);
      });

      it('should deliver events appended through another connection', async () => {
        const peer = await current.backend.openPeer();
        const job = await runningJob(store, 'host-a');
        const watching = collect(store.events.watch(job.id, 2));
        for (let i = 0; i < 5; i++) {
          await peer.events.append(job.id, logLines(i * 2, 2), {
            hostId: 'host-a'
          });
          await sleep(10);
        }
        await peer.events.append(
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
        const job = await runningJob(store);
        const controller = new AbortController();
        const watching = collect(
          store.events.watch(job.id, 0, controller.signal)
        );
        await sleep(50);
        controller.abort();
        const events = await watching;
        expect(events.map(e => e.seq)).toEqual([1, 2]);
      });

      it('should wake a waiting watcher promptly when another connection appends', async () => {
        // A watcher that missed the wake-up would still re-read after its
        // one-second safety net; live logs must come much sooner.
        const peer = await current.backend.openPeer();
        const job = await runningJob(store);
        const latenciesMs: number[] = [];
        let appendedAt = 0;
        const watching = collect(store.events.watch(job.id, 2), () =>
          latenciesMs.push(Date.now() - appendedAt)
        );
        for (let i = 0; i < 5; i++) {
          await sleep(50);
          appendedAt = Date.now();
          await peer.events.append(job.id, logLines(i, 1), {
            hostId: 'host-a'
          });
          await until(() => latenciesMs.length === i + 1);
        }
        await peer.events.append(
          job.id,
          [{ type: 'job:status', status: 'COMPLETED' }],
          { hostId: 'host-a' }
        );
        expect((await watching).map(e => e.seq)).toEqual([3, 4, 5, 6, 7, 8]);
        const sorted = latenciesMs.slice(0, 5).sort((a, b) => a - b);
        expect(sorted[2]).toBeLessThan(500);
      });
    });

    if (options.hasNetwork) {
      describe('IJobEvents.watch() across a network outage', () => {
        it('should deliver every event once and in order, resumed after the last seq seen', async () => {
          const peer = await current.backend.openPeer();
          const job = await runningJob(store);
          const seen: JobEvent[] = [];
          let failedReads = 0;
          // As an SSE client does with Last-Event-ID: a watch that fails
          // (its reads cannot reach the database) resumes after the last
          // event it delivered.
          const watching = (async () => {
            for (;;) {
              try {
                const after = seen.at(-1)?.seq ?? 0;
                for await (const event of store.events.watch(job.id, after))
                  seen.push(event);
                return;
              } catch {
                failedReads++;
                await sleep(100);
              }
            }
          })();
          const append = (events: NewJobEvent[]): Promise<unknown> =>
            peer.events.append(job.id, events, { hostId: 'host-a' });
          await append(logLines(0, 3));
          await until(() => seen.length === 5);

          const outage = current.backend.interruptConnection!(2500);
          await sleep(200);
          await append(logLines(3, 3));
          await outage;
          await append(logLines(6, 3));
          await append([{ type: 'job:status', status: 'COMPLETED' }]);
          await watching;

          expect(seen.map(e => e.seq)).toEqual(
            Array.from({ length: 12 }, (_, i) => i + 1)
          );
          const text = seen
            .map(e => (e.type === 'job:log' ? e.text : ''))
            .join('');
          expect(text).toBe(
            Array.from({ length: 9 }, (_, i) => `line ${i}\n`).join('')
          );
          // The outage was real: the store could not read during it.
          expect(failedReads).toBeGreaterThan(0);
        }, 30_000);
      });
    }

    describe('100,000 log lines', () => {
      it('should arrive through watch and readLogs complete and in order', async () => {
        const job = await runningJob(store);
        const lines = 100_000;
        const perBatch = 500;
        let expected = '';
        for (let i = 0; i < lines; i++) expected += `line ${i}\n`;

        let watched = '';
        const watching = collect(store.events.watch(job.id, 0), event => {
          if (event.type === 'job:log') watched += event.text;
        });
        for (let i = 0; i < lines; i += perBatch) {
          await store.events.append(job.id, logLines(i, perBatch), {
            hostId: 'host-a'
          });
        }
        await store.events.append(
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
          const chunks = await store.events.readLogs(job.id, after, 5000);
          if (chunks.length === 0) break;
          for (const chunk of chunks) read += chunk.text;
          after = chunks[chunks.length - 1].seq;
        }
        expect(read === expected).toBe(true);
        const done = (await store.jobs.get(job.id))!;
        expect(done.lastSeq).toBe(lines + 3);
        expect(expected.endsWith(done.logTail)).toBe(true);
      }, 90_000);
    });

    describe('IJobEvents.setManifest()', () => {
      it('should record the run manifest on the job', async () => {
        const job = await runningJob(store);
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
        await store.events.setManifest(job.id, manifest);
        expect((await store.jobs.get(job.id, ALICE))!.manifest).toEqual(
          manifest
        );
        expect(
          await codeOf(store.events.setManifest('missing', manifest))
        ).toBe('JOB_NOT_FOUND');
      });
    });

    describe('IJobEvents.deleteLogsFinishedBefore()', () => {
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
          const job = await store.jobs.create(ALICE, jobInput({ projectId }));
          await store.queue.claimNext({
            hostId: 'h',
            capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
            leaseMs: 60_000
          });
          const events: NewJobEvent[] = [
            { type: 'job:status', status: 'RUNNING' },
            ...logLines(0, 3),
            { type: 'job:metrics', metrics }
          ];
          if (final) events.push({ type: 'job:status', status: 'COMPLETED' });
          await store.events.append(job.id, events, { hostId: 'h' });
          return job.id;
        };
        const old = await finish('p1', true);
        const running = await finish('p1', false);
        const other = await finish('p2', true);
        const cutoff = new Date(Date.now() + 60_000);
        expect(await store.events.deleteLogsFinishedBefore('p1', cutoff)).toBe(
          1
        );
        expect(await store.events.readLogs(old, 0, 100)).toEqual([]);
        const kept = await store.events.read(old, 0, 100);
        expect(kept.map(e => e.type)).toEqual([
          'job:status',
          'job:status',
          'job:metrics',
          'job:status'
        ]);
        expect(await store.jobs.get(old)).toMatchObject({
          status: 'COMPLETED',
          metrics,
          logsDeleted: true,
          lastSeq: 7
        });
        expect(await store.events.readLogs(running, 0, 100)).toHaveLength(3);
        expect(await store.events.readLogs(other, 0, 100)).toHaveLength(3);
        expect(await store.events.deleteLogsFinishedBefore('p1', cutoff)).toBe(
          0
        );
        expect(
          await store.events.deleteLogsFinishedBefore('p2', new Date(0))
        ).toBe(0);
      });
    });
  });
}
