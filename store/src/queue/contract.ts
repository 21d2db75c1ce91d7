import type { Accelerator, Job } from '@jaxlab/schemas';

/**
 * The queue as gateway hosts see it: atomic claims of QUEUED jobs under a
 * lease, lease renewal, and the sweep that fails jobs whose host vanished.
 */
export interface IJobQueue {
  /**
   * Atomically claims the first QUEUED job in fair order that fits one
   * entry of `capacity` (its accelerator, and a deviceCount within the
   * entry's range): it becomes COMPILING (with a `job:status` event),
   * `host` = hostId, and leased until now + leaseMs. Two claimers, in any
   * process, never get the same job. A host passes what its free device
   * slots can take, so a job is claimed only when a slot of its
   * accelerator is free.
   *
   * Fair order: by the job's fair rank (given at `IJobs.create`: a user's
   * jobs take ranks one after another from where the queue is, so users
   * take turns: round-robin between users, oldest first within a user),
   * then by age. With `maxJobsPerOwner`, a job whose owner already has that
   * many jobs COMPILING or RUNNING is passed over, whatever the number of
   * claimers racing.
   */
  claimNext(options: IJobQueue.IClaimOptions): Promise<Job | null>;

  /**
   * Hands a job this host holds back to the queue (a gateway shutting down
   * before the job could finish): QUEUED again with a `job:status` event,
   * no host, no lease, `attempt` one more, keeping its place in the fair
   * order. False when the host no longer holds it.
   */
  requeue(jobId: string, hostId: string): Promise<boolean>;

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
    /** What the host can start now; empty: nothing. */
    capacity: ICapacity[];
    leaseMs: number;
    /**
     * Most jobs one owner may have COMPILING or RUNNING (all hosts
     * together); unset: no cap.
     */
    maxJobsPerOwner?: number;
    /** Only jobs created before this (jobs waiting at least so long). */
    queuedBefore?: Date;
    /** The claim's clock (tests pass a past time to make a lapsed lease). */
    now?: Date;
  }

  /**
   * Jobs of `accelerator` needing between `minDevices` (default 1) and
   * `maxDevices` devices.
   */
  export interface ICapacity {
    accelerator: Accelerator;
    maxDevices: number;
    minDevices?: number;
  }

  /** A lease after renewal. */
  export interface ILeaseState {
    held: boolean;
    cancelRequested: boolean;
  }
}
