import type {
  Accelerator,
  Job,
  JobCreate,
  JobStatus,
  JobUpdate,
  MetricDirection,
  ProjectFile,
  RegressionVerdict
} from '@jaxlab/schemas';

/** A job as lists show it: everything but the code, files and requirements. */
export type JobSummary = Omit<Job, 'code' | 'files' | 'requirements'>;

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
  /** Writes a new QUEUED job (code, files and requirements snapshotted). */
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

  /**
   * Changes what the owner says about a job (name, tags, notes), at any
   * status; nothing it ran with or produced. Null when missing or not the
   * owner's.
   */
  update(id: string, owner: string, patch: JobUpdate): Promise<Job | null>;

  /**
   * For a QUEUED job: 1 + the QUEUED jobs of its accelerator before it in
   * fair order (by anyone). Null when it is not queued.
   */
  queuePosition(id: string): Promise<number | null>;

  /** How many jobs there are, by status, accelerator and failure reason. */
  countByStatus(): Promise<IJobs.IStatusCount[]>;
  /**
   * The owner's COMPLETED jobs of a project that have the metric (a step
   * series' last value, else a run value), best first by `direction`
   * (ties: older first), after the filters: the leaderboard.
   *
   * @throws JaxLabError `INVALID_REQUEST` for a bad metric or argument name.
   */
  rank(query: IJobs.IRankQuery): Promise<IJobs.IRanking>;

  /**
   * How many jobs (anyone's) for `accelerator` are QUEUED, COMPILING or
   * RUNNING: what the hosts' slots of it are taken by, or soon will be.
   */
  countUnfinished(accelerator: Accelerator): Promise<number>;

  /** Stores the job's regression verdict (replacing an earlier one). */
  setRegression(id: string, verdict: RegressionVerdict): Promise<void>;
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
    /** The project's other files (absent: none). */
    files?: ProjectFile[];
    timeLimitMs?: number;
    name?: string;
    tags?: string[];
    notes?: string;
    /** Devices of the accelerator it needs (default 1). */
    deviceCount?: number;
    /** Run the call under jax.profiler (default false). */
    profile?: boolean;
  }

  /** An argument filter's value: arguments are compared when scalar. */
  export type ArgValue = string | number | boolean | null;

  /** A comparison of a metric with a number. */
  export interface IMetricFilter {
    /** A step series' name (its last value), else a run value's (`Final <name>:`). */
    name: string;
    op: '<' | '<=' | '=' | '>=' | '>';
    value: number;
  }

  /** One row of {@link IJobs.countByStatus}. */
  export interface IStatusCount {
    status: JobStatus;
    accelerator: Job['accelerator'];
    /** The failure reason of FAILED and CANCELLED jobs. */
    reason?: string;
    count: number;
  }

  /** Which jobs `rank` ranks, and how. */
  export interface IRankQuery {
    owner: string;
    projectId: string;
    metric: string;
    direction: MetricDirection;
    /** Only jobs with this tag. */
    tag?: string;
    /** Only jobs called with these arguments (every one equal). */
    args?: Record<string, ArgValue>;
    /** Only jobs created at or after this (ISO time). */
    createdFrom?: string;
    /** Only jobs created before this (ISO time). */
    createdBefore?: string;
    /** Only jobs that asked for this accelerator. */
    accelerator?: Accelerator;
    /** Most rows answered, 1..10000 (default 100); `total` counts all. */
    limit?: number;
  }

  /** What `rank` answers. */
  export interface IRanking {
    /** How many jobs match. */
    total: number;
    /** The first `limit` of them, best first, with their metric's value. */
    rows: { value: number; job: JobSummary }[];
  }

  /** Which jobs `list` returns. */
  export interface IQuery {
    owner: string;
    status?: JobStatus[];
    /** Only this project's jobs (absent: every project's). */
    projectId?: string;
    /** Only jobs with this tag. */
    tag?: string;
    /** Only jobs whose name contains this (any case). */
    nameContains?: string;
    /** Only jobs called with these arguments (every one equal). */
    args?: Record<string, ArgValue>;
    /** Only jobs whose metric compares so (a job without it never matches). */
    metric?: IMetricFilter;
    /** Page size, 1..200 (default 50). */
    limit?: number;
    /**
     * The `nextCursor` of the previous page.
     * @throws JaxLabError `INVALID_REQUEST` for a cursor the store did not make.
     */
    cursor?: string;
  }
}
