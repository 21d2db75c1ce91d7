import type { JobEvent, LogChunk, RunManifest } from '@jaxlab/schemas';

/**
 * An event to append; the store assigns `jobId`, `seq` and `time`.
 * Distributes over the JobEvent union so each variant keeps its fields.
 */
export type NewJobEvent = JobEvent extends infer E
  ? E extends JobEvent
    ? Omit<E, 'jobId' | 'seq' | 'time'>
    : never
  : never;

/**
 * A job's ordered events (status changes, log chunks, metrics), numbered
 * 1, 2, ... per job and folded into the job document as they are appended;
 * the run manifest; and the retention of log chunks.
 *
 * Callers check ownership through {@link IJobs.get} first: these methods
 * take a job id only.
 */
export interface IJobEvents {
  /**
   * Appends events in order, numbering them lastSeq+1, +2, ... and folding
   * them into the job: status (startedAt on RUNNING, finishedAt on a final
   * status), failure, metrics, the bounded `logTail`. With `hostId`,
   * appends only while that host holds the job's lease.
   *
   * All or nothing: a refused batch stores none of its events. A batch may
   * end with a final status but not continue past one.
   *
   * @throws JaxLabError `JOB_FINISHED` when the job is already final,
   *   `LEASE_LOST` when `hostId` does not hold it (also once its lease
   *   lapsed and it failed HOST_LOST), `JOB_NOT_FOUND`.
   */
  append(
    jobId: string,
    events: NewJobEvent[],
    options?: { hostId?: string }
  ): Promise<JobEvent[]>;

  /** Events with seq greater than afterSeq, in order, at most `limit`. */
  read(jobId: string, afterSeq: number, limit: number): Promise<JobEvent[]>;

  /** Log chunks (the `job:log` events) with seq greater than afterSeq, in order. */
  readLogs(jobId: string, afterSeq: number, limit: number): Promise<LogChunk[]>;

  /**
   * Every event with seq greater than afterSeq, stored ones first, then live
   * ones as they are appended, each once and in order; ends after the job's
   * final status event or when `signal` aborts. Back-pressure: the producer
   * waits for the consumer (events are read in bounded pages). Works across
   * processes and connections sharing the store.
   *
   * @throws JaxLabError `JOB_NOT_FOUND` for a missing job.
   */
  watch(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent>;

  /**
   * Records the run manifest of a job (by its lease holder).
   *
   * @throws JaxLabError `JOB_NOT_FOUND`.
   */
  setManifest(jobId: string, manifest: RunManifest): Promise<void>;

  /**
   * Retention: deletes the log chunks of the project's jobs that finished
   * before `cutoff`, keeping summary, metrics and status events; marks
   * them `logsDeleted` and clears their `logTail`. Returns how many jobs
   * lost their logs.
   */
  deleteLogsFinishedBefore(projectId: string, cutoff: Date): Promise<number>;
}
