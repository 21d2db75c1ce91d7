import type { Job, JobCreate, JobStatus } from '@jaxlab/schemas';

/** A job as lists show it: everything but the code and requirements. */
export type JobSummary = Omit<Job, 'code' | 'requirements'>;

/** A page of results and the cursor of the next page, if any. */
export interface IPage<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Jobs as their owners see them: submit, read, list, cancel. Claiming and
 * running them is {@link IJobQueue}'s; their events are {@link IJobEvents}'.
 *
 * Ownership: a method that takes an owner matches on it and answers `null`
 * for another user's job, exactly as for a missing one.
 */
export interface IJobs {
  /** Writes a new QUEUED job (code and requirements snapshotted). */
  create(owner: string, input: IJobs.ICreate): Promise<Job>;

  /** The job, or null if missing or not the owner's (owner omitted: any). */
  get(id: string, owner?: string): Promise<Job | null>;

  /** The owner's jobs, newest first, a page at a time. */
  list(query: IJobs.IQuery): Promise<IPage<JobSummary>>;

  /**
   * Cancels a job: a QUEUED job ends CANCELLED at once (atomically, so a
   * claim cannot race it); a running one gets `cancelRequested` for its
   * runner to act on. Null when missing or not the owner's.
   */
  requestCancel(id: string, owner: string): Promise<Job | null>;
}

/** Option types of {@link IJobs}. */
export namespace IJobs {
  /** What `create` stores: the validated request plus resolved limits. */
  export interface ICreate extends Required<
    Pick<
      JobCreate,
      'code' | 'requirements' | 'entrypoint' | 'args' | 'accelerator'
    >
  > {
    projectId: string | null;
    timeLimitMs?: number;
  }

  /** Which jobs `list` returns. */
  export interface IQuery {
    owner: string;
    status?: JobStatus[];
    projectId?: string;
    /** Page size, 1..200 (default 50). */
    limit?: number;
    /**
     * The `nextCursor` of the previous page.
     * @throws JaxLabError `INVALID_REQUEST` for a cursor the store did not make.
     */
    cursor?: string;
  }
}
