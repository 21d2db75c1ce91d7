import type { BucketedSeries } from '@jaxlab/schemas';
import type { IPointColumns } from './series-chunk.js';

/** Options of {@link downsampleSeries}. */
export interface IDownsampleOptions {
  /** Most buckets, at least 1. */
  buckets: number;
  /** Only points with a step at or after this. */
  fromStep?: number;
  /** Only points with a step at or before this. */
  toStep?: number;
}

/**
 * One series cut into at most `buckets` buckets of equal step width between
 * the smallest and the largest step in range. A bucket answers the step,
 * value and time of its last point (the one with the largest step; of
 * equal steps, the one logged last) and the smallest and largest value of
 * all its points, so no spike is lost however many points fall in it.
 * Empty buckets are left out, so the arrays may be shorter than `buckets`.
 * A series with no more points in range than `buckets` comes whole, sorted
 * by step (`downsampled` false, no min/max). Pure; one pass over the
 * points, plus one to count them.
 *
 * @param chunks - the points in the order they were logged.
 */
export function downsampleSeries(
  name: string,
  chunks: readonly IPointColumns[],
  options: IDownsampleOptions
): BucketedSeries {
  const from = options.fromStep ?? 0;
  const to = options.toStep ?? Number.MAX_SAFE_INTEGER;
  const buckets = Math.max(1, Math.floor(options.buckets));
  let count = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const { steps } of chunks) {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s < from || s > to) continue;
      count++;
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
  }
  if (count <= buckets) return wholeSeries(name, chunks, from, to, count);

  const width = (hi - lo + 1) / buckets;
  const lastStep = new Float64Array(buckets).fill(-1);
  const last = new Float64Array(buckets);
  const time = new Float64Array(buckets);
  const min = new Float64Array(buckets).fill(Infinity);
  const max = new Float64Array(buckets).fill(-Infinity);
  for (const { steps, values, times } of chunks) {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s < from || s > to) continue;
      const b = Math.min(buckets - 1, Math.floor((s - lo) / width));
      const v = values[i];
      if (v < min[b]) min[b] = v;
      if (v > max[b]) max[b] = v;
      if (s >= lastStep[b]) {
        lastStep[b] = s;
        last[b] = v;
        time[b] = times[i];
      }
    }
  }
  const out: BucketedSeries = {
    name,
    count,
    downsampled: true,
    step: [],
    time: [],
    last: [],
    min: [],
    max: []
  };
  for (let b = 0; b < buckets; b++) {
    if (lastStep[b] < 0) continue;
    out.step.push(lastStep[b]);
    out.time.push(time[b]);
    out.last.push(last[b]);
    out.min!.push(min[b]);
    out.max!.push(max[b]);
  }
  return out;
}

function wholeSeries(
  name: string,
  chunks: readonly IPointColumns[],
  from: number,
  to: number,
  count: number
): BucketedSeries {
  const order: Array<[number, number, number]> = [];
  for (const { steps, values, times } of chunks) {
    for (let i = 0; i < steps.length; i++) {
      if (steps[i] >= from && steps[i] <= to) {
        order.push([steps[i], values[i], times[i]]);
      }
    }
  }
  // Array.prototype.sort is stable: equal steps keep their logged order.
  order.sort((a, b) => a[0] - b[0]);
  return {
    name,
    count,
    downsampled: false,
    step: order.map(p => p[0]),
    time: order.map(p => p[2]),
    last: order.map(p => p[1])
  };
}
