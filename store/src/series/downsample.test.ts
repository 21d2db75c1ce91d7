import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleSeries } from './downsample.js';
import type { IPointColumns } from './series-chunk.js';

interface IPoint {
  step: number;
  value: number;
  time: number;
}

/** Points as chunks of at most `size`, in logged order. */
function chunked(points: IPoint[], size: number): IPointColumns[] {
  const chunks: IPointColumns[] = [];
  for (let i = 0; i < points.length; i += size) {
    const part = points.slice(i, i + size);
    chunks.push({
      steps: Float64Array.from(part.map(p => p.step)),
      values: Float64Array.from(part.map(p => p.value)),
      times: Float64Array.from(part.map(p => p.time))
    });
  }
  return chunks;
}

const point = fc.record({
  step: fc.integer({ min: 0, max: 5000 }),
  value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  time: fc.integer({ min: 0, max: 1e12 })
});
const series = fc.array(point, { minLength: 1, maxLength: 600 });
const buckets = fc.integer({ min: 1, max: 200 });
const chunkSize = fc.integer({ min: 1, max: 64 });

describe('downsampleSeries()', () => {
  it('should put every raw point within the min and max of the bucket holding its step', () => {
    fc.assert(
      fc.property(series, buckets, chunkSize, (points, b, size) => {
        const out = downsampleSeries('loss', chunked(points, size), {
          buckets: b
        });
        expect(out.count).toBe(points.length);
        expect(out.step.length).toBeLessThanOrEqual(b);
        if (!out.downsampled) {
          expect(out.step.length).toBe(points.length);
          return;
        }
        // Buckets come in step order and hold disjoint step ranges, so the
        // bucket of a point is the first whose last step is >= its step.
        for (let i = 1; i < out.step.length; i++) {
          expect(out.step[i]).toBeGreaterThan(out.step[i - 1]);
        }
        for (const p of points) {
          const b = out.step.findIndex(s => s >= p.step);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(out.min![b]).toBeLessThanOrEqual(p.value);
          expect(out.max![b]).toBeGreaterThanOrEqual(p.value);
        }
      }),
      { numRuns: 300 }
    );
  });

  it("should give each bucket the value of its largest step's last-logged point", () => {
    fc.assert(
      fc.property(series, buckets, (points, b) => {
        const out = downsampleSeries('loss', chunked(points, 7), {
          buckets: b
        });
        fc.pre(out.downsampled);
        for (let i = 0; i < out.step.length; i++) {
          const atStep = points.filter(p => p.step === out.step[i]);
          const lastLogged = atStep[atStep.length - 1];
          expect(out.last[i]).toBe(lastLogged.value);
          expect(out.time[i]).toBe(lastLogged.time);
        }
      }),
      { numRuns: 200 }
    );
  });

  it('should answer a short series whole, sorted by step, equal steps in logged order', () => {
    const points: IPoint[] = [
      { step: 3, value: 30, time: 3 },
      { step: 1, value: 10, time: 1 },
      { step: 3, value: 31, time: 4 }
    ];
    const out = downsampleSeries('x', chunked(points, 2), { buckets: 10 });
    expect(out).toEqual({
      name: 'x',
      count: 3,
      downsampled: false,
      step: [1, 3, 3],
      time: [1, 3, 4],
      last: [10, 30, 31]
    });
  });

  it('should keep only the points within fromStep..toStep', () => {
    const points = Array.from({ length: 1000 }, (_, i) => ({
      step: i,
      value: i % 7,
      time: i
    }));
    const out = downsampleSeries('x', chunked(points, 100), {
      buckets: 10,
      fromStep: 200,
      toStep: 299
    });
    expect(out.count).toBe(100);
    expect(out.step).toEqual([
      209, 219, 229, 239, 249, 259, 269, 279, 289, 299
    ]);
    expect(Math.min(...out.min!)).toBe(0);
    expect(Math.max(...out.max!)).toBe(6);
  });

  it('should keep a single spike among a million points visible in 1000 buckets', () => {
    const n = 1_000_000;
    const steps = new Float64Array(n);
    const values = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i++) steps[i] = i;
    values[777_777] = 1e9;
    const out = downsampleSeries('loss', [{ steps, values, times: steps }], {
      buckets: 1000
    });
    expect(out.step.length).toBe(1000);
    expect(Math.max(...out.max!)).toBe(1e9);
    expect(out.max!.filter(v => v > 1).length).toBe(1);
  });
});
