import type {
  BucketedSeries,
  SeriesPoints,
  SeriesSummary
} from '@jaxlab/schemas';
import type { IPointColumns } from './series-chunk.js';

/**
 * The step series of jobs (one per metric name, as `jaxlab.log()` wrote
 * them), kept compactly in chunks of binary columns and read back cut into
 * step buckets, so that a chart of a million steps costs about what one of
 * a thousand does.
 *
 * One writer per job (its gateway's execution); callers check ownership
 * through {@link IJobs.get} first: these methods take a job id only.
 */
export interface ISeries {
  /**
   * Appends points to the job's series, each name's points in the order
   * logged, and answers the job's summary after them (every name, not only
   * this batch's).
   *
   * @throws JaxLabError `INVALID_REQUEST` when a name's steps, values and
   *   times differ in length, or a value is not a finite number;
   *   `JOB_NOT_FOUND`.
   */
  append(jobId: string, batch: ISeries.IBatch): Promise<SeriesSummary>;

  /**
   * The job's series (all, or those named), each cut into at most
   * `buckets` equal step ranges between `fromStep` and `toStep` (see
   * {@link downsampleSeries}); names in the order first logged.
   */
  read(jobId: string, options: ISeries.IReadOptions): Promise<BucketedSeries[]>;

  /** Per name: count, last step and value, smallest and largest value. */
  summary(jobId: string): Promise<SeriesSummary>;

  /**
   * Every point of the series `name`, one stored chunk at a time in the
   * order logged (for readers that need all points, such as the data
   * viewer, without holding a long series whole); none for an unknown name.
   */
  points(jobId: string, name: string): AsyncIterable<IPointColumns>;
}

/** Option types of {@link ISeries}. */
export namespace ISeries {
  /** New points by metric name. */
  export type IBatch = Record<string, SeriesPoints>;

  /** What {@link ISeries.read} returns. */
  export interface IReadOptions {
    /** Only these names (default: all). */
    names?: readonly string[];
    /** Most buckets per series, 1..10000. */
    buckets: number;
    /** Only points with a step at or after this. */
    fromStep?: number;
    /** Only points with a step at or before this. */
    toStep?: number;
  }
}

/** Points a stored chunk holds at most. */
export const SERIES_CHUNK_POINTS = 4096;
