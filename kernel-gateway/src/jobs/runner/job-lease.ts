import type { Job } from '@jaxlab/schemas';
import type { IJobQueue } from '@jaxlab/store';

import type { JobEventWriter } from './job-event-writer.js';
import type { LogSink } from '../../log/gateway-log.js';

/** Options of a {@link JobLease}. */
export interface IJobLeaseOptions {
  job: Job;
  queue: IJobQueue;
  hostId: string;
  leaseMs: number;
  renewEveryMs: number;
  /** Whether the job has ended (no renewal is started then). */
  isEnded: () => boolean;
  /** The lease is gone (another host may run the job). */
  onLost: () => void;
  /** The job's owner asked to cancel it (at every renewal until it ends). */
  onCancelRequested: () => void;
  log: LogSink;
}

/**
 * A claimed job's lease on this host: renewed while the job runs (each
 * renewal also reads the job's cancel request), and handed back to the
 * queue when the gateway stops before the job could end.
 */
export class JobLease {
  constructor(options: IJobLeaseOptions) {
    this._options = options;
  }

  /** Renews the lease every `renewEveryMs` until {@link stop}. */
  start(): void {
    this._timer = setInterval(
      () => void this._renew(),
      this._options.renewEveryMs
    );
  }

  /** Stops renewing. */
  stop(): void {
    clearInterval(this._timer);
  }

  /**
   * Hands the job back to the queue, its log saying why and which attempt
   * comes next (`writer`: the job's events).
   */
  async handBack(writer: Pick<JobEventWriter, 'append'>): Promise<void> {
    const { job, hostId, queue, log } = this._options;
    const attempt = (job.attempt ?? 1) + 1;
    await writer.append({
      type: 'job:log',
      stream: 'stderr',
      text: `[jaxlab] The gateway on host ${hostId} shut down before this job finished; the job goes back to the queue and starts again from the beginning (attempt ${attempt}).\n`
    });
    if (!(await queue.requeue(job.id, hostId))) {
      log(`job ${job.id}: lost its lease before it could be handed back`);
    }
  }

  private async _renew(): Promise<void> {
    const { job, hostId, queue, leaseMs, log } = this._options;
    if (this._renewing || this._options.isEnded()) {
      return;
    }
    this._renewing = true;
    try {
      const { held, cancelRequested } = await queue.renewLease(
        job.id,
        hostId,
        leaseMs
      );
      if (!held) {
        this._options.onLost();
      } else if (cancelRequested) {
        this._options.onCancelRequested();
      }
    } catch (error) {
      log(`job ${job.id}: cannot renew the lease: ${String(error)}`);
    } finally {
      this._renewing = false;
    }
  }

  private readonly _options: IJobLeaseOptions;
  private _timer: NodeJS.Timeout | undefined;
  private _renewing = false;
}
