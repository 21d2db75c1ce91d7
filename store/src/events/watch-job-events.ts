import { setTimeout as sleep } from 'node:timers/promises';
import type { JobEvent, JobStatus } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import { jobNotFound } from './job-errors.js';

/** Events read per query while watching. */
const WATCH_PAGE_SIZE = 500;

/**
 * How long a watcher waits for a missing seq (numbered but not yet stored)
 * before skipping it: the writer died between numbering and storing. Only
 * MongoDB numbers and stores in two writes; SQLite never has such a gap.
 */
const GAP_SKIP_MS = 5000;

/** A job's status and last assigned seq, as a watch polls them. */
export interface IJobProgress {
  status: JobStatus;
  lastSeq: number;
}

/**
 * The `IJobEvents.watch` both backends share, over each one's reads and
 * append signal: stored events in bounded pages (the consumer's pace is
 * the producer's), then live ones as appends are signalled; each once and
 * in order; ends after the final status event, on abort, or on dispose.
 */
export abstract class WatchableJobEvents {
  /** Stored events of `jobId` after `afterSeq`, in order, at most `limit`. */
  abstract read(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]>;

  /** @throws JaxLabError `JOB_NOT_FOUND` for a missing job. */
  async *watch(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent> {
    let last = afterSeq;
    let gapSince = 0;
    while (!signal?.aborted && !this._isDisposed) {
      const page = await this.read(jobId, last, WATCH_PAGE_SIZE);
      let yielded = 0;
      for (const event of page) {
        if (event.seq !== last + 1) {
          // A numbered event not stored yet: wait for it, up to a limit.
          gapSince ||= Date.now();
          if (Date.now() - gapSince < GAP_SKIP_MS) break;
        }
        gapSince = 0;
        if (signal?.aborted) return;
        yield event;
        yielded++;
        last = event.seq;
        if (event.type === 'job:status' && isFinalJobStatus(event.status)) {
          return;
        }
      }
      if (yielded === WATCH_PAGE_SIZE || this._isDisposed) continue;
      const job = await this._readProgress(jobId);
      if (!job) throw jobNotFound(jobId);
      if (job.lastSeq > last) {
        if (yielded > 0) continue;
        // Numbered but not yet stored: the writer stores it in a moment.
        gapSince ||= Date.now();
        if (Date.now() - gapSince < GAP_SKIP_MS) {
          await sleep(2);
          continue;
        }
        if (page.length > 0) continue;
      }
      // Final and nothing more to read (or a lost gap at the very end; or
      // afterSeq was at or beyond the final status event).
      if (isFinalJobStatus(job.status)) return;
      await this._waitForAppend(jobId, Math.max(last, job.lastSeq), signal);
    }
  }

  /** Whether the store was disposed (a watch then ends quietly). */
  protected abstract get _isDisposed(): boolean;

  /** The job's status and last assigned seq; null when it does not exist. */
  protected abstract _readProgress(jobId: string): Promise<IJobProgress | null>;

  /**
   * Resolves when events of `jobId` after `seenSeq` may exist (or on
   * abort, or after a safety timeout: the loop re-reads either way).
   */
  protected abstract _waitForAppend(
    jobId: string,
    seenSeq: number,
    signal: AbortSignal | undefined
  ): Promise<void>;
}
