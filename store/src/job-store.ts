import type {
  Accelerator,
  ApiToken,
  HostInfo,
  Job,
  JobCreate,
  JobEvent,
  JobStatus,
  LogChunk,
  Project,
  ProjectWrite,
  RunManifest,
  User
} from '@jaxlab/schemas';

/**
 * An event to append; the store assigns `jobId`, `seq` and `time`.
 * Distributes over the JobEvent union so each variant keeps its fields.
 */
export type NewJobEvent = JobEvent extends infer E
  ? E extends JobEvent
    ? Omit<E, 'jobId' | 'seq' | 'time'>
    : never
  : never;

/** A job as lists show it: everything but the code and requirements. */
export type JobSummary = Omit<Job, 'code' | 'requirements'>;

/** A page of results and the cursor of the next page, if any. */
export interface IPage<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Persistence of JAX TPU Lab behind one interface: jobs (which are also the
 * queue), their events and log chunks, projects, users, sessions, API
 * tokens and hosts. Implemented by the embedded SQLite store and the MongoDB
 * store; one contract suite runs against both.
 *
 * Ownership: every method that reads or changes a user's document takes the
 * owner and matches on it, answering `null`/`false` for another user's
 * document, exactly as for a missing one.
 */
export interface IJobStore {
  /** Which backend this is, for logs and /api. */
  readonly kind: 'sqlite' | 'mongodb';

  /** Creates tables/collections and indexes. Idempotent. */
  init(): Promise<void>;

  /** Closes connections and stops watchers. Idempotent. */
  dispose(): Promise<void>;

  // ---- Jobs -------------------------------------------------------------

  /** Writes a new QUEUED job (code and requirements snapshotted). */
  createJob(owner: string, input: IJobStore.ICreateJob): Promise<Job>;

  /** The job, or null if missing or not the owner's (owner omitted: any). */
  getJob(id: string, owner?: string): Promise<Job | null>;

  /** The owner's jobs, newest first. */
  listJobs(query: IJobStore.IJobQuery): Promise<IPage<JobSummary>>;

  /**
   * Cancels a job: a QUEUED job ends CANCELLED at once (atomically, so a
   * claim cannot race it); a running one gets `cancelRequested` for its
   * runner to act on. Null when missing or not the owner's.
   */
  requestCancel(id: string, owner: string): Promise<Job | null>;

  // ---- The queue --------------------------------------------------------

  /**
   * Atomically claims the oldest QUEUED job whose accelerator is in
   * `accelerators`: it becomes COMPILING (with a `job:status` event),
   * `host` = hostId and a lease until now + leaseMs.
   */
  claimNextJob(options: IJobStore.IClaimOptions): Promise<Job | null>;

  /**
   * Extends the lease of a job this host holds. `held` is false when the
   * lease was lost (expired and the job failed HOST_LOST, or it finished).
   */
  renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<{ held: boolean; cancelRequested: boolean }>;

  /**
   * Fails every non-final job whose lease lapsed before `now` with
   * HOST_LOST (a `job:status` event, finishedAt set). Returns those jobs.
   */
  expireLapsedLeases(now?: Date): Promise<Job[]>;

  // ---- Events -----------------------------------------------------------

  /**
   * Appends events to a job in order, numbering them lastSeq+1, +2, ...
   * and folding them into the job document: status (startedAt on RUNNING,
   * finishedAt on a final status), failure, metrics, bounded logTail.
   * With `hostId`, appends only while that host holds the job's lease.
   *
   * All or nothing: a refused batch stores none of its events. A batch may
   * end with a final status but not continue past one.
   *
   * @throws JaxLabError `JOB_FINISHED` when the job is already final,
   *   `LEASE_LOST` when `hostId` does not hold it (also once its lease
   *   lapsed and it failed HOST_LOST), `JOB_NOT_FOUND`.
   */
  appendEvents(
    jobId: string,
    events: NewJobEvent[],
    options?: { hostId?: string }
  ): Promise<JobEvent[]>;

  /** Events with seq greater than afterSeq, in order, at most `limit`. */
  readEvents(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]>;

  /** Log chunks (the `job:log` events) with seq greater than afterSeq, in order. */
  readLogs(jobId: string, afterSeq: number, limit: number): Promise<LogChunk[]>;

  /**
   * Every event with seq greater than afterSeq, stored ones first, then live ones as
   * they are appended, each once and in order; ends after the job's final
   * status event or when `signal` aborts. Back-pressure: the producer waits
   * for the consumer (events are read in bounded pages). Works across
   * processes sharing the store. Throws `JOB_NOT_FOUND` for a missing job.
   */
  watchEvents(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent>;

  /** Records the run manifest of a job (by its lease holder). */
  setManifest(jobId: string, manifest: RunManifest): Promise<void>;

  /**
   * Retention: deletes the log chunks of the project's jobs that finished
   * before `cutoff`, keeping summary, metrics and status events; marks
   * them `logsDeleted`. Returns how many jobs lost their logs.
   */
  deleteLogsFinishedBefore(projectId: string, cutoff: Date): Promise<number>;

  // ---- Projects ---------------------------------------------------------

  createProject(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project>;
  getProject(id: string, owner: string): Promise<Project | null>;
  listProjects(owner: string): Promise<Project[]>;
  /** Projects of every owner with a retention setting (for the sweeper). */
  listProjectsWithRetention(): Promise<Project[]>;
  updateProject(
    id: string,
    owner: string,
    patch: ProjectWrite
  ): Promise<Project | null>;
  /** Deletes the project; its jobs stay (projectId kept). */
  deleteProject(id: string, owner: string): Promise<boolean>;

  // ---- Users, sessions, tokens -------------------------------------------

  /** Finds the user by (provider, subject) or creates one. */
  upsertUser(input: IJobStore.IUserInput): Promise<User>;
  getUser(id: string): Promise<User | null>;

  /** Sessions are opaque JSON stored under the hash of their id. */
  putSession(sidHash: string, data: unknown, expiresAt: Date): Promise<void>;
  getSession(sidHash: string, now?: Date): Promise<unknown | null>;
  deleteSession(sidHash: string): Promise<void>;

  /** Stores a token's hash; the secret itself is never stored. */
  createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken>;
  listApiTokens(owner: string): Promise<ApiToken[]>;
  revokeApiToken(id: string, owner: string): Promise<boolean>;
  /** The owner of a live token with this hash (and marks it used). */
  findUserByTokenHash(tokenHash: string): Promise<User | null>;

  // ---- Hosts --------------------------------------------------------------

  /** Registers or refreshes a gateway host (heartbeat). */
  upsertHost(host: HostInfo): Promise<void>;
  /** Hosts seen since `since`. */
  listHosts(since: Date): Promise<HostInfo[]>;
}

/** Statics and option types of {@link IJobStore}. */
export namespace IJobStore {
  /** What `createJob` stores: the validated request plus resolved limits. */
  export interface ICreateJob extends Required<
    Pick<
      JobCreate,
      'code' | 'requirements' | 'entrypoint' | 'args' | 'accelerator'
    >
  > {
    projectId: string | null;
    timeLimitMs?: number;
  }

  export interface IJobQuery {
    owner: string;
    status?: JobStatus[];
    projectId?: string;
    /** Page size, 1..200 (default 50). */
    limit?: number;
    cursor?: string;
  }

  export interface IClaimOptions {
    hostId: string;
    accelerators: Accelerator[];
    leaseMs: number;
    now?: Date;
  }

  export interface IUserInput {
    provider: 'google' | 'local';
    subject: string;
    email: string;
    name: string;
  }
}
