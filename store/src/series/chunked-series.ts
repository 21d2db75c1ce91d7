import type {
  BucketedSeries,
  MetricSummary,
  SeriesSummary
} from '@jaxlab/schemas';
import type { ISeries } from './contract.js';
import type {
  IPointColumns,
  ISeriesChunk,
  IStoredChunk
} from './series-chunk.js';
import {
  appendToChunks,
  readBucketed,
  summarize,
  toStoredChunk,
  toSummary
} from './series-chunk.js';

/** A stored (job, name) summary, with the name's place among the job's. */
export interface ISeriesSummaryRow extends MetricSummary {
  name: string;
  ordinal: number;
}

/** What an append writes for one name: its chunks, then its summary. */
export interface ISeriesWrite {
  name: string;
  chunks: IStoredChunk[];
  summary: MetricSummary;
  /** The name's place among the job's series (a new one: after the rest). */
  ordinal: number;
}

/**
 * The writes that append `batch` to a job whose series are `stored` (in
 * first-logged order); `openChunkOf` gives a stored name's chunk to fill
 * (see `openChunkAfter`). Names without points write nothing.
 */
export function planAppend(
  stored: readonly ISeriesSummaryRow[],
  batch: ISeries.IBatch,
  openChunkOf: (name: string) => ISeriesChunk | null
): ISeriesWrite[] {
  let ordinal = stored.length;
  const writes: ISeriesWrite[] = [];
  for (const [name, points] of Object.entries(batch)) {
    if (points.steps.length === 0) continue;
    const known = stored.find(row => row.name === name) ?? null;
    const last = known ? openChunkOf(name) : null;
    writes.push({
      name,
      chunks: appendToChunks(last, points).map(toStoredChunk),
      summary: summarize(known, points),
      ordinal: known?.ordinal ?? ordinal++
    });
  }
  return writes;
}

/**
 * What both {@link ISeries} backends share: `read` and `summary` over the
 * stored summaries and chunks, which each backend reads its own way.
 */
export abstract class ChunkedSeries {
  async read(
    jobId: string,
    options: ISeries.IReadOptions
  ): Promise<BucketedSeries[]> {
    const names = (await this._summaries(jobId)).map(row => row.name);
    return readBucketed(names, options, async (name, from, to) =>
      this._chunksOverlapping(jobId, name, from, to)
    );
  }

  async summary(jobId: string): Promise<SeriesSummary> {
    return toSummary(await this._summaries(jobId));
  }

  /** The job's summaries, in the order their names were first logged. */
  protected abstract _summaries(
    jobId: string
  ): ISeriesSummaryRow[] | Promise<ISeriesSummaryRow[]>;

  /** The chunks of `name` that hold steps in `fromStep..toStep`, in order. */
  protected abstract _chunksOverlapping(
    jobId: string,
    name: string,
    fromStep: number,
    toStep: number
  ): IPointColumns[] | Promise<IPointColumns[]>;
}
