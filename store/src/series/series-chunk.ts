import type {
  BucketedSeries,
  MetricSummary,
  SeriesPoints,
  SeriesSummary
} from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { ISeries } from './contract.js';
import { SERIES_CHUNK_POINTS } from './contract.js';
import { downsampleSeries } from './downsample.js';

/**
 * Points of one series as three parallel columns: step, value and time
 * (ms since the epoch) of point i.
 */
export interface IPointColumns {
  readonly steps: Float64Array;
  readonly values: Float64Array;
  readonly times: Float64Array;
}

/** A stored chunk: its number within the series and its points. */
export interface ISeriesChunk {
  index: number;
  points: IPointColumns;
}

/** Bytes a point takes in a chunk: three float64s. */
export const BYTES_PER_POINT = 24;

/**
 * A chunk's points as bytes: all steps, then all values, then all times,
 * little-endian float64. 24 bytes a point, against the 60 to 100 of a
 * row per point.
 */
export function encodeChunk(points: IPointColumns): Buffer {
  const n = points.steps.length;
  const out = new Float64Array(n * 3);
  out.set(points.steps, 0);
  out.set(points.values, n);
  out.set(points.times, 2 * n);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** The points of a chunk's bytes (see {@link encodeChunk}). */
export function decodeChunk(bytes: Uint8Array): IPointColumns {
  // Float64Array needs an 8-byte aligned offset; a driver's buffer may not be.
  const aligned =
    bytes.byteOffset % 8 === 0
      ? bytes
      : new Uint8Array(
          bytes.buffer.slice(
            bytes.byteOffset,
            bytes.byteOffset + bytes.byteLength
          )
        );
  const all = new Float64Array(
    aligned.buffer,
    aligned.byteOffset,
    Math.floor(aligned.byteLength / 8)
  );
  const n = Math.floor(all.length / 3);
  return {
    steps: all.subarray(0, n),
    values: all.subarray(n, 2 * n),
    times: all.subarray(2 * n, 3 * n)
  };
}

/**
 * Checks a batch's new points, name by name.
 *
 * @throws JaxLabError `INVALID_REQUEST` for columns of different lengths, a
 *   step that is not a non-negative integer, a value or time that is not finite.
 */
export function checkBatch(batch: ISeries.IBatch): void {
  for (const [name, points] of Object.entries(batch)) checkPoints(name, points);
}

function checkPoints(name: string, points: SeriesPoints): void {
  const n = points.steps.length;
  const bad = (what: string): JaxLabError =>
    new JaxLabError('INVALID_REQUEST', `Series ${name}: ${what}.`, {
      hint: 'Each point needs an integer step >= 0, a finite value and a time.'
    });
  if (points.values.length !== n || points.times.length !== n) {
    throw bad('steps, values and times differ in length');
  }
  for (let i = 0; i < n; i++) {
    const step = points.steps[i];
    if (!Number.isSafeInteger(step) || step < 0) throw bad(`step ${step}`);
    if (!Number.isFinite(points.values[i])) throw bad('a value is not finite');
    if (!Number.isFinite(points.times[i])) throw bad('a time is not finite');
  }
}

/** A chunk as both backends store it: its step range and count beside the bytes. */
export interface IStoredChunk {
  chunk: number;
  minStep: number;
  maxStep: number;
  count: number;
  points: Buffer;
}

/** The record to store for `chunk`. */
export function toStoredChunk(chunk: ISeriesChunk): IStoredChunk {
  const range = stepRange(chunk.points);
  return {
    chunk: chunk.index,
    minStep: range.min,
    maxStep: range.max,
    count: chunk.points.steps.length,
    points: encodeChunk(chunk.points)
  };
}

/**
 * The chunk new points go into, given the series' last stored chunk (null:
 * none yet): that chunk, or an empty next one when it is full.
 */
export function openChunkAfter(
  last: (Pick<IStoredChunk, 'chunk' | 'count'> & { points: Uint8Array }) | null
): ISeriesChunk | null {
  if (!last) return null;
  if (last.count >= SERIES_CHUNK_POINTS) {
    return { index: last.chunk + 1, points: emptyColumns() };
  }
  return { index: last.chunk, points: decodeChunk(last.points) };
}

/**
 * The chunks to write after appending `points` to a series whose last
 * chunk is `last` (null when it has none or the last one is full): the
 * last chunk filled up, then new full chunks, then the rest.
 */
export function appendToChunks(
  last: ISeriesChunk | null,
  points: SeriesPoints
): ISeriesChunk[] {
  const out: ISeriesChunk[] = [];
  let index = last ? last.index : 0;
  let pending = last ? columnsToArrays(last.points) : emptyArrays();
  let from = 0;
  const n = points.steps.length;
  while (from < n) {
    const room = SERIES_CHUNK_POINTS - pending.steps.length;
    if (room === 0) {
      out.push({ index, points: arraysToColumns(pending) });
      index += 1;
      pending = emptyArrays();
      continue;
    }
    const to = Math.min(n, from + room);
    pending.steps.push(...points.steps.slice(from, to));
    pending.values.push(...points.values.slice(from, to));
    pending.times.push(...points.times.slice(from, to));
    from = to;
  }
  if (pending.steps.length > 0)
    out.push({ index, points: arraysToColumns(pending) });
  return out;
}

/** A name's summary after `points` (null: the name is new). */
export function summarize(
  previous: MetricSummary | null,
  points: SeriesPoints
): MetricSummary {
  const n = points.steps.length;
  let { count, lastStep, last, min, max } = previous ?? {
    count: 0,
    lastStep: 0,
    last: 0,
    min: Infinity,
    max: -Infinity
  };
  for (let i = 0; i < n; i++) {
    const value = points.values[i];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (n > 0) {
    count += n;
    lastStep = points.steps[n - 1];
    last = points.values[n - 1];
  }
  return { count, lastStep, last, min, max };
}

/** The summary of rows in first-logged order. */
export function toSummary(
  rows: readonly (MetricSummary & { name: string })[]
): SeriesSummary {
  const summary: SeriesSummary = {};
  for (const { name, count, lastStep, last, min, max } of rows) {
    summary[name] = { count, lastStep, last, min, max };
  }
  return summary;
}

/** Smallest and largest step of a chunk's points. */
function stepRange(points: IPointColumns): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const s of points.steps) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return { min, max };
}

/** A chunk with no points. */
function emptyColumns(): IPointColumns {
  return {
    steps: new Float64Array(0),
    values: new Float64Array(0),
    times: new Float64Array(0)
  };
}

/**
 * `ISeries.read` on any backend: for each stored name (in first-logged
 * order) that `options.names` allows, the chunks overlapping the step range,
 * as `chunksOf(name, fromStep, toStep)` reads them, cut into buckets.
 */
export async function readBucketed(
  names: readonly string[],
  options: ISeries.IReadOptions,
  chunksOf: (
    name: string,
    fromStep: number,
    toStep: number
  ) => Promise<IPointColumns[]>
): Promise<BucketedSeries[]> {
  const wanted = options.names ? new Set(options.names) : null;
  const from = options.fromStep ?? 0;
  const to = options.toStep ?? Number.MAX_SAFE_INTEGER;
  const out: BucketedSeries[] = [];
  for (const name of names) {
    if (wanted && !wanted.has(name)) continue;
    out.push(downsampleSeries(name, await chunksOf(name, from, to), options));
  }
  return out;
}

interface IArrays {
  steps: number[];
  values: number[];
  times: number[];
}

function emptyArrays(): IArrays {
  return { steps: [], values: [], times: [] };
}

function columnsToArrays(points: IPointColumns): IArrays {
  return {
    steps: Array.from(points.steps),
    values: Array.from(points.values),
    times: Array.from(points.times)
  };
}

function arraysToColumns(arrays: IArrays): IPointColumns {
  return {
    steps: Float64Array.from(arrays.steps),
    values: Float64Array.from(arrays.values),
    times: Float64Array.from(arrays.times)
  };
}
