import { beforeEach, describe, expect, it } from 'vitest';
import type { SeriesPoints } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';
import { SERIES_CHUNK_POINTS } from '@jaxlab/store';
import type { OpenStoreBackend } from './store-backend.js';
import { codeOf, runningJob, useStoreBackend } from './store-backend.js';

/** `count` points from step `from` on, value = f(step), time = 1000 + step. */
function points(
  from: number,
  count: number,
  f: (step: number) => number = s => s / 2
): SeriesPoints {
  const steps = Array.from({ length: count }, (_, i) => from + i);
  return { steps, values: steps.map(f), times: steps.map(s => 1000 + s) };
}

/**
 * The contract of {@link ISeries} (step series: compact storage, summaries,
 * bucketed reads), run against every backend by
 * `test/integration/<backend>.test.ts`.
 */
export function describeSeriesContract(
  name: string,
  open: OpenStoreBackend
): void {
  describe(`ISeries contract: ${name}`, () => {
    const current = useStoreBackend(open);
    let store: IStore;
    beforeEach(() => {
      store = current.store;
    });

    it('should keep every point of batches that cross chunk boundaries, and summarise them', async () => {
      const job = await runningJob(store);
      const total = SERIES_CHUNK_POINTS * 2 + 123;
      let summary;
      for (let from = 0; from < total; from += 1000) {
        summary = await store.series.append(job.id, {
          loss: points(from, Math.min(1000, total - from), s => 100 - s / 100)
        });
      }
      expect(summary).toEqual({
        loss: {
          count: total,
          lastStep: total - 1,
          last: 100 - (total - 1) / 100,
          min: 100 - (total - 1) / 100,
          max: 100
        }
      });
      const [whole] = await store.series.read(job.id, { buckets: 10_000 });
      expect(whole.downsampled).toBe(false);
      expect(whole.count).toBe(total);
      expect(whole.step).toEqual(points(0, total).steps);
      expect(whole.time[total - 1]).toBe(1000 + total - 1);
      expect(await store.series.summary(job.id)).toEqual(summary);
      const steps: number[] = [];
      const chunkSizes: number[] = [];
      for await (const chunk of store.series.points(job.id, 'loss')) {
        chunkSizes.push(chunk.steps.length);
        steps.push(...chunk.steps);
      }
      expect(chunkSizes).toEqual([
        SERIES_CHUNK_POINTS,
        SERIES_CHUNK_POINTS,
        123
      ]);
      expect(steps).toEqual(points(0, total).steps);
      for await (const _ of store.series.points(job.id, 'nope'))
        throw new Error('an unknown name has no points');
    });

    it('should answer buckets whose min and max hold every point, and a step range', async () => {
      const job = await runningJob(store);
      // A saw tooth with one spike: 0, 1, ..., 9, 0, 1, ... and 1e6 at 4321.
      const spiky = (s: number): number => (s === 4321 ? 1e6 : s % 10);
      await store.series.append(job.id, { loss: points(0, 10_000, spiky) });
      const [series] = await store.series.read(job.id, { buckets: 100 });
      expect(series).toMatchObject({
        name: 'loss',
        count: 10_000,
        downsampled: true
      });
      expect(series.step.length).toBe(100);
      expect(series.step[0]).toBe(99);
      expect(series.min!.every(v => v === 0)).toBe(true);
      expect(series.max!.filter(v => v === 1e6)).toHaveLength(1);
      expect(series.max![43]).toBe(1e6);
      const [zoomed] = await store.series.read(job.id, {
        buckets: 50,
        fromStep: 4300,
        toStep: 4349
      });
      expect(zoomed.downsampled).toBe(false);
      expect(zoomed.step).toEqual(points(4300, 50).steps);
      expect(zoomed.last[21]).toBe(1e6);
    });

    it('should keep names apart, in the order first logged, and read only those asked for', async () => {
      const job = await runningJob(store);
      await store.series.append(job.id, { 'train/loss': points(0, 3) });
      await store.series.append(job.id, {
        'eval.accuracy': points(2, 1, () => 0.9),
        'train/loss': points(3, 2)
      });
      const summary = await store.series.summary(job.id);
      expect(Object.keys(summary)).toEqual(['train/loss', 'eval.accuracy']);
      expect(summary['train/loss'].count).toBe(5);
      const read = await store.series.read(job.id, {
        buckets: 10,
        names: ['eval.accuracy']
      });
      expect(read).toEqual([
        {
          name: 'eval.accuracy',
          count: 1,
          downsampled: false,
          step: [2],
          time: [1002],
          last: [0.9]
        }
      ]);
      const other = await runningJob(store);
      expect(await store.series.read(other.id, { buckets: 10 })).toEqual([]);
    });

    it('should fold job:series events into the job (progress, summary) and job:phase events into its phases', async () => {
      const job = await runningJob(store);
      await store.events.append(job.id, [
        { type: 'job:phase', phase: 'environment', detail: 'cached' },
        { type: 'job:phase', phase: 'kernel' },
        { type: 'job:phase', phase: 'call' },
        {
          type: 'job:series',
          progress: { step: 99, totalSteps: 1000, points: 100 },
          summary: {
            loss: { count: 100, lastStep: 99, last: 0.5, min: 0.4, max: 0.7 }
          }
        }
      ]);
      const running = (await store.jobs.get(job.id))!;
      expect(running.progress).toEqual({
        step: 99,
        totalSteps: 1000,
        points: 100
      });
      expect(running.series).toEqual({
        loss: { count: 100, lastStep: 99, last: 0.5, min: 0.4, max: 0.7 }
      });
      expect(
        running.phases!.map(p => [p.phase, p.detail, !!p.endedAt])
      ).toEqual([
        ['environment', 'cached', true],
        ['kernel', undefined, true],
        ['call', undefined, false]
      ]);
      expect(running.phases![1].startedAt).toBe(running.phases![0].endedAt);
      await store.events.append(job.id, [
        { type: 'job:status', status: 'COMPLETED' }
      ]);
      const done = (await store.jobs.get(job.id))!;
      expect(done.phases![2].endedAt).toBe(done.finishedAt);
      const [summary] = (await store.jobs.list({ owner: job.owner })).items;
      expect(summary.series).toEqual(running.series);
      const events = await store.events.read(job.id, 0, 100);
      expect(events.find(e => e.type === 'job:series')).toMatchObject({
        summary: running.series
      });
    });

    it('should refuse columns of different lengths and values that are not finite, storing nothing', async () => {
      const job = await runningJob(store);
      expect(
        await codeOf(
          store.series.append(job.id, {
            ok: points(0, 2),
            loss: { steps: [1, 2], values: [0.5], times: [1, 2] }
          })
        )
      ).toBe('INVALID_REQUEST');
      expect(
        await codeOf(
          store.series.append(job.id, {
            loss: { steps: [1], values: [Number.NaN], times: [1] }
          })
        )
      ).toBe('INVALID_REQUEST');
      expect(await store.series.summary(job.id)).toEqual({});
      expect(
        await codeOf(store.series.append('no-such-job', { loss: points(0, 1) }))
      ).toBe('JOB_NOT_FOUND');
    });
  });
}
