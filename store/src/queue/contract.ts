import type { Accelerator, Job } from '@jaxlab/schemas';

/**
 * The queue as gateway hosts see it: atomic claims of QUEUED jobs under a
 * lease, lease renewal, and the sweep that fails jobs whose host vanished.
 */
export interface IJobQueue {
  /**
   * Atomically claims the oldest QUEUED job whose accelerator is in
   * `accelerators`: it becomes COMPILING (with a `job:status` event),
   * `host` = hostId, and leased until now + leaseMs. Two claimers, in any
   * process, never get the same job.
   */
  claimNext(options: IJobQueue.IClaimOptions): Promise<Job | null>;

  /**
   * Extends the lease of a job this host holds. `held` is false when the
   * lease was lost (expired and the job failed HOST_LOST, or it finished);
   * `cancelRequested` tells the runner to stop the job.
   */
  renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<IJobQueue.ILeaseState>;

  /**
   * Fails every non-final job whose lease lapsed before `now` with
   * HOST_LOST (a `job:status` event, finishedAt set). Returns those jobs.
   */
  expireLapsedLeases(now?: Date): Promise<Job[]>;
}

/** Option types of {@link IJobQueue}. */
export namespace IJobQueue {
  /** What a host may claim, and for how long. */
  export interface IClaimOptions {
    hostId: string;
    accelerators: Accelerator[];
    leaseMs: number;
    /** The claim's clock (tests pass a past time to make a lapsed lease). */
    now?: Date;
  }

  /** A lease after renewal. */
  export interface ILeaseState {
    held: boolean;
    cancelRequested: boolean;
  }
}
