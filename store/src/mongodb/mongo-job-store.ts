import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, MongoServerError } from 'mongodb';
import type {
  ChangeStream,
  Collection,
  Db,
  Filter,
  ResumeToken
} from 'mongodb';
import type {
  ApiToken,
  Failure,
  HostInfo,
  Job,
  JobEvent,
  JobStatus,
  LogChunk,
  Metrics,
  Project,
  ProjectWrite,
  RunManifest,
  User
} from '@jaxlab/schemas';
import {
  FINAL_JOB_STATUSES,
  JaxLabError,
  isFinalJobStatus
} from '@jaxlab/schemas';
import type {
  IJobStore,
  IPage,
  JobSummary,
  NewJobEvent
} from '../job-store.js';
import { foldJobEvents } from '../jobs/fold-job-events.js';
import {
  decodeJobCursor,
  encodeJobCursor,
  jobPageSize
} from '../jobs/job-cursor.js';
import { checkAppendAllowed, jobNotFound } from '../jobs/job-errors.js';
import {
  cancelledWhileQueuedFailure,
  hostLostFailure
} from '../jobs/job-failures.js';
import { SeqWaiters } from '../jobs/seq-waiters.js';
import { newTimeOrderedId } from '../jobs/time-ordered-id.js';
import { newProject, patchProject } from '../projects/new-project.js';

/** Events read per query by `watchEvents`. */
const WATCH_PAGE_SIZE = 500;

/** Tail mode: how often waiting watchers' jobs are checked for new events. */
const TAIL_POLL_MS = 10;

/** Longest a watcher sleeps without re-reading, against lost wake-ups. */
const WATCH_SAFETY_MS = 1000;

/**
 * How long a watcher waits for a missing seq (numbered but not yet inserted)
 * before skipping it: the writer died between numbering and inserting.
 */
const GAP_SKIP_MS = 5000;

const NOT_FINAL = { $nin: [...FINAL_JOB_STATUSES] as JobStatus[] };

/**
 * A job document. Fields whose keys come from users (args, metrics values,
 * manifest packages such as `zope.interface`) are stored as JSON text so
 * that no key can collide with MongoDB's `$`/`.` rules.
 */
interface IJobDoc {
  _id: string;
  owner: string;
  projectId: string | null;
  status: JobStatus;
  accelerator: Job['accelerator'];
  entrypoint: string;
  argsJson: string;
  code?: string;
  requirements?: string;
  timeLimitMs: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  host: string | null;
  leaseHolder: string | null;
  leaseExpiresAt: number | null;
  lastSeq: number;
  logTail: string;
  logsDeleted: boolean;
  cancelRequested: boolean;
  failure: Failure | null;
  metricsJson: string | null;
  manifestJson: string | null;
}

/** An event document; `metrics` of a metrics event is stored as JSON. */
interface IEventDoc {
  jobId: string;
  seq: number;
  type: JobEvent['type'];
  time: string;
  stream?: 'stdout' | 'stderr';
  text?: string;
  status?: JobStatus;
  failure?: Failure;
  metricsJson?: string;
}

type IProjectDoc = Omit<Project, 'id'> & { _id: string };

interface IUserDoc {
  _id: string;
  provider: 'google' | 'local';
  subject: string;
  email: string;
  name: string;
  createdAt: string;
}

interface ISessionDoc {
  _id: string;
  dataJson: string;
  expiresAt: Date;
}

interface ITokenDoc {
  _id: string;
  owner: string;
  name: string;
  hash: string;
  createdAt: string;
  lastUsedAt?: string;
}

type IHostDoc = Omit<HostInfo, 'hostId'> & { _id: string };

/**
 * The MongoDB store (official driver), selected by `MONGODB_URI`.
 *
 * Sequence numbers: an append reads the job, folds the events, and writes
 * the job back guarded by its previous `lastSeq` (plus "not final" and "this
 * host holds the lease"), then inserts the numbered events. The guard makes
 * numbering safe even with several writers, but by design each job has a
 * single writer, its lease holder; the only others are the claim, a cancel
 * of a QUEUED job and the lease sweeper, which each write once. Because
 * numbering and insertion are two writes, a reader can briefly see
 * `lastSeq` ahead of the stored events; `watchEvents` waits for such gaps.
 *
 * Live events: on a replica set (`hello.setName`) one change stream on the
 * events collection wakes watchers, resumed with its resume token after
 * errors; elsewhere (standalone servers, mongo-java-server) waiting watchers
 * poll their jobs' `lastSeq` every 10 ms. Appends in this process wake
 * watchers at once either way.
 */
export class MongoJobStore implements IJobStore {
  readonly kind = 'mongodb' as const;

  /** Connects lazily: {@link MongoJobStore.init} connects. */
  constructor(options: MongoJobStore.IOptions) {
    this._client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000
    });
    const fromUri = this._client.options.dbName;
    this._dbName =
      options.dbName ?? (fromUri && fromUri !== 'test' ? fromUri : 'jaxlab');
  }

  /** Whether live events come from a change stream (else the tail poll). */
  get usesChangeStreams(): boolean {
    return this._changeStream !== null;
  }

  async init(): Promise<void> {
    if (this._db) return;
    try {
      await this._client.connect();
      const db = this._client.db(this._dbName);
      await Promise.all([
        db
          .collection('jobs')
          .createIndexes([
            { key: { owner: 1, createdAt: -1, _id: -1 } },
            { key: { status: 1, accelerator: 1, createdAt: 1, _id: 1 } },
            { key: { projectId: 1, finishedAt: 1 } },
            { key: { leaseExpiresAt: 1 } }
          ]),
        db
          .collection('job_events')
          .createIndex({ jobId: 1, seq: 1 }, { unique: true }),
        db.collection('projects').createIndex({ owner: 1, createdAt: 1 }),
        db
          .collection('users')
          .createIndex({ provider: 1, subject: 1 }, { unique: true }),
        db
          .collection('sessions')
          .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
        db
          .collection('api_tokens')
          .createIndexes([
            { key: { hash: 1 }, unique: true },
            { key: { owner: 1 } }
          ]),
        db.collection('hosts').createIndex({ lastSeenAt: 1 })
      ]);
      this._db = db;
      await this._startChangeStream();
    } catch (cause) {
      if (cause instanceof JaxLabError) throw cause;
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        `Cannot use MongoDB database ${this._dbName}.`,
        { cause, hint: 'Check MONGODB_URI and that the server is reachable.' }
      );
    }
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._stopPolling();
    this._waiters.wakeAll();
    const stream = this._changeStream;
    this._changeStream = null;
    await stream?.close().catch(() => undefined);
    await this._client.close();
    this._db = null;
  }

  // ---- Jobs -------------------------------------------------------------

  async createJob(owner: string, input: IJobStore.ICreateJob): Promise<Job> {
    const now = new Date();
    const time = now.toISOString();
    const doc: IJobDoc = {
      _id: newTimeOrderedId(now.getTime()),
      owner,
      projectId: input.projectId,
      status: 'QUEUED',
      accelerator: input.accelerator,
      entrypoint: input.entrypoint,
      argsJson: JSON.stringify(input.args),
      code: input.code,
      requirements: input.requirements,
      timeLimitMs: input.timeLimitMs ?? null,
      createdAt: time,
      updatedAt: time,
      startedAt: null,
      finishedAt: null,
      host: null,
      leaseHolder: null,
      leaseExpiresAt: null,
      lastSeq: 0,
      logTail: '',
      logsDeleted: false,
      cancelRequested: false,
      failure: null,
      metricsJson: null,
      manifestJson: null
    };
    await this._jobs().insertOne(doc);
    return docToJob(doc);
  }

  async getJob(id: string, owner?: string): Promise<Job | null> {
    const filter: Filter<IJobDoc> = { _id: id };
    if (owner !== undefined) filter.owner = owner;
    const doc = await this._jobs().findOne(filter);
    return doc ? docToJob(doc) : null;
  }

  async listJobs(query: IJobStore.IJobQuery): Promise<IPage<JobSummary>> {
    const limit = jobPageSize(query.limit);
    const filter: Filter<IJobDoc> = { owner: query.owner };
    if (query.status?.length) filter.status = { $in: query.status };
    if (query.projectId !== undefined) filter.projectId = query.projectId;
    if (query.cursor) {
      const cursor = decodeJobCursor(query.cursor);
      filter.$or = [
        { createdAt: { $lt: cursor.createdAt } },
        { createdAt: cursor.createdAt, _id: { $lt: cursor.id } }
      ];
    }
    const docs = await this._jobs()
      .find(filter, { projection: { code: 0, requirements: 0 } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    const items = docs.slice(0, limit).map(doc => docToJob(doc) as JobSummary);
    const last = items[items.length - 1];
    return docs.length > limit
      ? { items, nextCursor: encodeJobCursor(last) }
      : { items };
  }

  async requestCancel(id: string, owner: string): Promise<Job | null> {
    const now = new Date();
    const time = now.toISOString();
    const failure = cancelledWhileQueuedFailure();
    // QUEUED -> CANCELLED in one guarded update, so a claim cannot race it.
    const cancelled = await this._jobs().findOneAndUpdate(
      { _id: id, owner, status: 'QUEUED' },
      {
        $set: {
          status: 'CANCELLED',
          finishedAt: time,
          updatedAt: time,
          failure,
          cancelRequested: true
        },
        $inc: { lastSeq: 1 }
      },
      { returnDocument: 'after' }
    );
    if (cancelled) {
      await this._insertEvents([
        {
          jobId: id,
          seq: cancelled.lastSeq,
          time,
          type: 'job:status',
          status: 'CANCELLED',
          failure
        }
      ]);
      return docToJob(cancelled);
    }
    await this._jobs().updateOne(
      { _id: id, owner, status: NOT_FINAL },
      { $set: { cancelRequested: true, updatedAt: time } }
    );
    return this.getJob(id, owner);
  }

  // ---- The queue --------------------------------------------------------

  async claimNextJob(options: IJobStore.IClaimOptions): Promise<Job | null> {
    if (options.accelerators.length === 0) return null;
    const now = options.now ?? new Date();
    const time = now.toISOString();
    const doc = await this._jobs().findOneAndUpdate(
      { status: 'QUEUED', accelerator: { $in: options.accelerators } },
      {
        $set: {
          status: 'COMPILING',
          host: options.hostId,
          leaseHolder: options.hostId,
          leaseExpiresAt: now.getTime() + options.leaseMs,
          updatedAt: time
        },
        $inc: { lastSeq: 1 }
      },
      { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' }
    );
    if (!doc) return null;
    await this._insertEvents([
      {
        jobId: doc._id,
        seq: doc.lastSeq,
        time,
        type: 'job:status',
        status: 'COMPILING'
      }
    ]);
    return docToJob(doc);
  }

  async renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const doc = await this._jobs().findOneAndUpdate(
      { _id: jobId, leaseHolder: hostId, status: NOT_FINAL },
      { $set: { leaseExpiresAt: Date.now() + leaseMs } },
      { projection: { cancelRequested: 1 }, returnDocument: 'after' }
    );
    if (doc) return { held: true, cancelRequested: doc.cancelRequested };
    const job = await this._jobs().findOne(
      { _id: jobId },
      { projection: { cancelRequested: 1 } }
    );
    return { held: false, cancelRequested: job?.cancelRequested ?? false };
  }

  async expireLapsedLeases(now: Date = new Date()): Promise<Job[]> {
    const lapsed = { $lt: now.getTime() };
    const candidates = await this._jobs()
      .find(
        { leaseExpiresAt: lapsed, status: NOT_FINAL },
        { projection: { _id: 1 } }
      )
      .toArray();
    const failed: Job[] = [];
    const time = now.toISOString();
    for (const { _id } of candidates) {
      const current = await this._jobs().findOne(
        { _id },
        { projection: { host: 1 } }
      );
      const failure = hostLostFailure(current?.host ?? undefined);
      // Guarded again: the holder may have renewed since the find.
      const doc = await this._jobs().findOneAndUpdate(
        { _id, leaseExpiresAt: lapsed, status: NOT_FINAL },
        {
          $set: {
            status: 'FAILED',
            failure,
            finishedAt: time,
            updatedAt: time
          },
          $inc: { lastSeq: 1 }
        },
        { returnDocument: 'after' }
      );
      if (!doc) continue;
      await this._insertEvents([
        {
          jobId: _id,
          seq: doc.lastSeq,
          time,
          type: 'job:status',
          status: 'FAILED',
          failure
        }
      ]);
      failed.push(docToJob(doc));
    }
    return failed;
  }

  // ---- Events -----------------------------------------------------------

  async appendEvents(
    jobId: string,
    events: NewJobEvent[],
    options: { hostId?: string } = {}
  ): Promise<JobEvent[]> {
    if (events.length === 0) return [];
    for (;;) {
      const job = await this._jobs().findOne(
        { _id: jobId },
        { projection: { code: 0, requirements: 0 } }
      );
      if (!job) throw jobNotFound(jobId);
      checkAppendAllowed(jobId, job, options.hostId);
      const now = new Date();
      const folded = foldJobEvents(
        jobId,
        {
          status: job.status,
          lastSeq: job.lastSeq,
          logTail: job.logTail,
          startedAt: job.startedAt ?? undefined,
          finishedAt: job.finishedAt ?? undefined,
          failure: job.failure ?? undefined,
          metrics: parseJson<Metrics>(job.metricsJson)
        },
        events,
        now
      );
      const s = folded.state;
      const guard: Filter<IJobDoc> = {
        _id: jobId,
        lastSeq: job.lastSeq,
        status: NOT_FINAL
      };
      if (options.hostId !== undefined) guard.leaseHolder = options.hostId;
      const result = await this._jobs().updateOne(guard, {
        $set: {
          status: s.status,
          lastSeq: s.lastSeq,
          logTail: s.logTail,
          startedAt: s.startedAt ?? null,
          finishedAt: s.finishedAt ?? null,
          failure: s.failure ?? null,
          metricsJson: s.metrics ? JSON.stringify(s.metrics) : null,
          updatedAt: now.toISOString()
        }
      });
      // Someone else wrote in between (the sweeper, a cancel): read again.
      if (result.matchedCount === 0) continue;
      await this._insertEvents(folded.events.map(eventToDoc));
      return folded.events;
    }
  }

  async readEvents(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]> {
    if (limit <= 0) return [];
    const docs = await this._events()
      .find({ jobId, seq: { $gt: afterSeq } }, { projection: { _id: 0 } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map(docToEvent);
  }

  async readLogs(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<LogChunk[]> {
    if (limit <= 0) return [];
    const docs = await this._events()
      .find(
        { jobId, type: 'job:log', seq: { $gt: afterSeq } },
        { projection: { _id: 0 } }
      )
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map(doc => ({
      jobId: doc.jobId,
      seq: doc.seq,
      stream: doc.stream!,
      text: doc.text!,
      time: doc.time
    }));
  }

  async *watchEvents(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent> {
    let last = afterSeq;
    let gapSince = 0;
    while (!signal?.aborted && !this._disposed) {
      const page = await this.readEvents(jobId, last, WATCH_PAGE_SIZE);
      let yielded = 0;
      for (const event of page) {
        if (event.seq !== last + 1) {
          // A numbered event not inserted yet: wait for it, up to a limit.
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
      if (yielded === WATCH_PAGE_SIZE) continue;
      const job = await this._jobs().findOne(
        { _id: jobId },
        { projection: { status: 1, lastSeq: 1 } }
      );
      if (!job) throw jobNotFound(jobId);
      if (job.lastSeq > last) {
        if (yielded > 0) continue;
        // Numbered but not yet stored: the writer inserts in a moment.
        gapSince ||= Date.now();
        if (Date.now() - gapSince < GAP_SKIP_MS) {
          await sleep(2);
          continue;
        }
        if (page.length > 0) continue;
      }
      // Final and nothing more to read (or a lost gap at the very end).
      if (isFinalJobStatus(job.status)) return;
      await this._waitForAppend(jobId, Math.max(last, job.lastSeq), signal);
    }
  }

  async setManifest(jobId: string, manifest: RunManifest): Promise<void> {
    const result = await this._jobs().updateOne(
      { _id: jobId },
      {
        $set: {
          manifestJson: JSON.stringify(manifest),
          updatedAt: new Date().toISOString()
        }
      }
    );
    if (result.matchedCount === 0) throw jobNotFound(jobId);
  }

  async deleteLogsFinishedBefore(
    projectId: string,
    cutoff: Date
  ): Promise<number> {
    const docs = await this._jobs()
      .find(
        {
          projectId,
          finishedAt: { $ne: null, $lt: cutoff.toISOString() },
          logsDeleted: false
        },
        { projection: { _id: 1 } }
      )
      .toArray();
    for (const { _id } of docs) {
      await this._events().deleteMany({ jobId: _id, type: 'job:log' });
      await this._jobs().updateOne(
        { _id },
        { $set: { logsDeleted: true, logTail: '' } }
      );
    }
    return docs.length;
  }

  // ---- Projects ---------------------------------------------------------

  async createProject(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project> {
    const now = new Date();
    const project = newProject(
      newTimeOrderedId(now.getTime()),
      owner,
      input,
      now
    );
    await this._projects().insertOne(projectToDoc(project));
    return project;
  }

  async getProject(id: string, owner: string): Promise<Project | null> {
    const doc = await this._projects().findOne({ _id: id, owner });
    return doc ? docToProject(doc) : null;
  }

  async listProjects(owner: string): Promise<Project[]> {
    const docs = await this._projects()
      .find({ owner })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(docToProject);
  }

  async listProjectsWithRetention(): Promise<Project[]> {
    const docs = await this._projects()
      .find({ logRetentionDays: { $gte: 1 } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(docToProject);
  }

  async updateProject(
    id: string,
    owner: string,
    patch: ProjectWrite
  ): Promise<Project | null> {
    const current = await this._projects().findOne({ _id: id, owner });
    if (!current) return null;
    const project = patchProject(docToProject(current), patch, new Date());
    const result = await this._projects().replaceOne(
      { _id: id, owner },
      projectToDoc(project)
    );
    return result.matchedCount ? project : null;
  }

  async deleteProject(id: string, owner: string): Promise<boolean> {
    const result = await this._projects().deleteOne({ _id: id, owner });
    return result.deletedCount > 0;
  }

  // ---- Users, sessions, tokens -------------------------------------------

  async upsertUser(input: IJobStore.IUserInput): Promise<User> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this._users().findOneAndUpdate(
          { provider: input.provider, subject: input.subject },
          {
            $set: { email: input.email, name: input.name },
            $setOnInsert: {
              _id: randomUUID(),
              createdAt: new Date().toISOString()
            }
          },
          { upsert: true, returnDocument: 'after' }
        );
        return docToUser(doc!);
      } catch (error) {
        // Two first sign-ins at once: the unique index lets one win; retry.
        if (
          attempt < 2 &&
          error instanceof MongoServerError &&
          error.code === 11000
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  async getUser(id: string): Promise<User | null> {
    const doc = await this._users().findOne({ _id: id });
    return doc ? docToUser(doc) : null;
  }

  async putSession(
    sidHash: string,
    data: unknown,
    expiresAt: Date
  ): Promise<void> {
    await this._sessions().replaceOne(
      { _id: sidHash },
      { dataJson: JSON.stringify(data ?? null), expiresAt },
      { upsert: true }
    );
  }

  async getSession(
    sidHash: string,
    now: Date = new Date()
  ): Promise<unknown | null> {
    const doc = await this._sessions().findOne({ _id: sidHash });
    if (!doc) return null;
    if (doc.expiresAt.getTime() <= now.getTime()) {
      // The TTL index removes it eventually; answer as if it were gone.
      await this._sessions().deleteOne({
        _id: sidHash,
        expiresAt: { $lte: now }
      });
      return null;
    }
    return JSON.parse(doc.dataJson) as unknown;
  }

  async deleteSession(sidHash: string): Promise<void> {
    await this._sessions().deleteOne({ _id: sidHash });
  }

  async createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken> {
    const doc: ITokenDoc = {
      _id: randomUUID(),
      owner,
      name,
      hash: tokenHash,
      createdAt: new Date().toISOString()
    };
    try {
      await this._tokens().insertOne(doc);
    } catch (cause) {
      if (cause instanceof MongoServerError && cause.code === 11000) {
        throw new JaxLabError('CONFLICT', 'A token with this hash exists.', {
          cause,
          hint: 'Generate a new random token secret.'
        });
      }
      throw cause;
    }
    return { id: doc._id, name, createdAt: doc.createdAt };
  }

  async listApiTokens(owner: string): Promise<ApiToken[]> {
    const docs = await this._tokens()
      .find({ owner })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(doc => {
      const token: ApiToken = {
        id: doc._id,
        name: doc.name,
        createdAt: doc.createdAt
      };
      if (doc.lastUsedAt) token.lastUsedAt = doc.lastUsedAt;
      return token;
    });
  }

  async revokeApiToken(id: string, owner: string): Promise<boolean> {
    const result = await this._tokens().deleteOne({ _id: id, owner });
    return result.deletedCount > 0;
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const doc = await this._tokens().findOneAndUpdate(
      { hash: tokenHash },
      { $set: { lastUsedAt: new Date().toISOString() } },
      { projection: { owner: 1 } }
    );
    return doc ? this.getUser(doc.owner) : null;
  }

  // ---- Hosts --------------------------------------------------------------

  async upsertHost(host: HostInfo): Promise<void> {
    const { hostId, ...rest } = host;
    const lastSeenAt = new Date(host.lastSeenAt).toISOString();
    await this._hosts().replaceOne(
      { _id: hostId },
      { ...rest, lastSeenAt },
      { upsert: true }
    );
  }

  async listHosts(since: Date): Promise<HostInfo[]> {
    const docs = await this._hosts()
      .find({ lastSeenAt: { $gte: since.toISOString() } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map(({ _id, ...rest }) => ({ hostId: _id, ...rest }));
  }

  // ---- Internals ----------------------------------------------------------

  private _database(): Db {
    if (!this._db) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        this._disposed
          ? 'The MongoDB store was disposed.'
          : 'The MongoDB store is not initialised.',
        { hint: 'Call init() before using the store, and not after dispose().' }
      );
    }
    return this._db;
  }

  private _jobs(): Collection<IJobDoc> {
    return this._database().collection<IJobDoc>('jobs');
  }

  private _events(): Collection<IEventDoc> {
    return this._database().collection<IEventDoc>('job_events');
  }

  private _projects(): Collection<IProjectDoc> {
    return this._database().collection<IProjectDoc>('projects');
  }

  private _users(): Collection<IUserDoc> {
    return this._database().collection<IUserDoc>('users');
  }

  private _sessions(): Collection<ISessionDoc> {
    return this._database().collection<ISessionDoc>('sessions');
  }

  private _tokens(): Collection<ITokenDoc> {
    return this._database().collection<ITokenDoc>('api_tokens');
  }

  private _hosts(): Collection<IHostDoc> {
    return this._database().collection<IHostDoc>('hosts');
  }

  private async _insertEvents(docs: IEventDoc[]): Promise<void> {
    await this._events().insertMany(docs, { ordered: true });
    if (docs.length) this._waiters.wake(docs[0].jobId);
  }

  /**
   * Waits until the job may have an event after `seenSeq`: woken by an
   * append in this process, by the change stream, or by the tail poll.
   */
  private async _waitForAppend(
    jobId: string,
    seenSeq: number,
    signal: AbortSignal | undefined
  ): Promise<void> {
    const known = this._seenSeq.get(jobId);
    this._seenSeq.set(
      jobId,
      known === undefined ? seenSeq : Math.min(known, seenSeq)
    );
    const waiting = this._waiters.wait(jobId, signal, WATCH_SAFETY_MS);
    if (!this._changeStream) {
      this._startPolling();
    } else {
      // A change that arrived between the caller's read and the wait above
      // woke nobody: look once more now that the waiter is registered.
      const doc = await this._jobs().findOne(
        { _id: jobId },
        { projection: { lastSeq: 1 } }
      );
      if (!doc || doc.lastSeq > seenSeq) this._waiters.wake(jobId);
    }
    await waiting;
  }

  /** Tail mode: one query per tick for every job someone waits on. */
  private _startPolling(): void {
    if (this._pollTimer || this._disposed) return;
    const tick = async (): Promise<void> => {
      this._pollTimer = null;
      const ids = this._waiters.jobIds;
      if (ids.length === 0 || this._disposed || !this._db) {
        this._seenSeq.clear();
        return;
      }
      try {
        const docs = await this._jobs()
          .find({ _id: { $in: ids } }, { projection: { lastSeq: 1 } })
          .toArray();
        for (const doc of docs) {
          const seen = this._seenSeq.get(doc._id);
          if (seen === undefined || doc.lastSeq > seen) {
            this._seenSeq.delete(doc._id);
            this._waiters.wake(doc._id);
          }
        }
      } catch {
        // Transient (e.g. a failover): the next tick tries again.
      }
      if (!this._disposed && !this._waiters.isEmpty) {
        this._pollTimer = setTimeout(() => void tick(), TAIL_POLL_MS);
        this._pollTimer.unref();
      }
    };
    this._pollTimer = setTimeout(() => void tick(), TAIL_POLL_MS);
    this._pollTimer.unref();
  }

  private _stopPolling(): void {
    if (this._pollTimer) {
      clearTimeout(this._pollTimer);
      this._pollTimer = null;
    }
  }

  /**
   * Opens the change stream when the deployment is a replica set and
   * `watch()` works there; otherwise leaves the tail poll in charge.
   * NOTE: never exercised against a real replica set in this repository's
   * tests (mongo-java-server reports no set name); see store/README.md.
   */
  private async _startChangeStream(): Promise<void> {
    const hello = await this._database()
      .admin()
      .command({ hello: 1 })
      .catch(() => ({}) as { setName?: string });
    if (!hello.setName) return;
    try {
      const stream = this._openChangeStream(undefined);
      // watch() is lazy: the first getMore shows whether it is supported.
      await stream.tryNext();
      this._resumeToken = stream.resumeToken;
      this._consumeChangeStream(stream);
    } catch {
      this._changeStream = null;
    }
  }

  private _openChangeStream(
    resumeAfter: ResumeToken | undefined
  ): ChangeStream<IEventDoc> {
    const stream = this._events().watch<IEventDoc>(
      [
        { $match: { operationType: 'insert' } },
        { $project: { 'fullDocument.jobId': 1 } }
      ],
      resumeAfter ? { resumeAfter } : {}
    );
    this._changeStream = stream;
    return stream;
  }

  /** Wakes watchers per insert; on an error reopens after the last token. */
  private _consumeChangeStream(stream: ChangeStream<IEventDoc>): void {
    void (async () => {
      try {
        for await (const change of stream) {
          this._resumeToken = change._id;
          if (change.operationType === 'insert') {
            this._waiters.wake(change.fullDocument.jobId);
          }
        }
      } catch {
        // The driver already retried resumable errors once; fall through.
      }
      if (this._disposed || this._changeStream !== stream) return;
      await stream.close().catch(() => undefined);
      this._changeStream = null;
      // Until the stream is back, the tail poll serves waiting watchers.
      this._waiters.wakeAll();
      for (let attempt = 0; attempt < 5 && !this._disposed; attempt++) {
        await sleep(200 * (attempt + 1));
        try {
          const next = this._openChangeStream(this._resumeToken);
          await next.tryNext();
          this._consumeChangeStream(next);
          this._waiters.wakeAll();
          return;
        } catch {
          this._changeStream = null;
        }
      }
    })();
  }

  private _client: MongoClient;
  private _dbName: string;
  private _db: Db | null = null;
  private _disposed = false;
  private _changeStream: ChangeStream<IEventDoc> | null = null;
  private _resumeToken: ResumeToken | undefined = undefined;
  private _pollTimer: NodeJS.Timeout | null = null;
  private _seenSeq = new Map<string, number>();
  private _waiters = new SeqWaiters();
}

/** Statics of {@link MongoJobStore}. */
export namespace MongoJobStore {
  /** Options of {@link MongoJobStore}. */
  export interface IOptions {
    /** Connection string, e.g. `mongodb://host:27017/?replicaSet=rs0`. */
    uri: string;
    /** Database name (default: the URI's, else `jaxlab`). */
    dbName?: string;
    /** How long to look for a server before failing (default 5000 ms). */
    serverSelectionTimeoutMS?: number;
  }
}

function parseJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined
    ? undefined
    : (JSON.parse(text) as T);
}

function docToJob(doc: IJobDoc): Job {
  const job: Partial<Job> = {
    id: doc._id,
    owner: doc.owner,
    projectId: doc.projectId,
    status: doc.status,
    accelerator: doc.accelerator,
    entrypoint: doc.entrypoint,
    args: JSON.parse(doc.argsJson) as Job['args']
  };
  if (doc.code !== undefined) job.code = doc.code;
  if (doc.requirements !== undefined) job.requirements = doc.requirements;
  if (doc.timeLimitMs !== null) job.timeLimitMs = doc.timeLimitMs;
  job.createdAt = doc.createdAt;
  job.updatedAt = doc.updatedAt;
  if (doc.startedAt !== null) job.startedAt = doc.startedAt;
  if (doc.finishedAt !== null) job.finishedAt = doc.finishedAt;
  if (doc.host !== null) job.host = doc.host;
  job.lastSeq = doc.lastSeq;
  job.logTail = doc.logTail;
  if (doc.logsDeleted) job.logsDeleted = true;
  job.cancelRequested = doc.cancelRequested;
  if (doc.failure !== null) job.failure = doc.failure;
  const metrics = parseJson<Metrics>(doc.metricsJson);
  if (metrics) job.metrics = metrics;
  const manifest = parseJson<RunManifest>(doc.manifestJson);
  if (manifest) job.manifest = manifest;
  return job as Job;
}

function eventToDoc(event: JobEvent): IEventDoc {
  if (event.type === 'job:metrics') {
    const { metrics, ...rest } = event;
    return { ...rest, metricsJson: JSON.stringify(metrics) };
  }
  return { ...event };
}

function docToEvent(doc: IEventDoc): JobEvent {
  const { metricsJson, ...rest } = doc as IEventDoc & { _id?: unknown };
  delete (rest as { _id?: unknown })._id;
  if (metricsJson !== undefined) {
    return { ...rest, metrics: JSON.parse(metricsJson) as Metrics } as JobEvent;
  }
  return rest as JobEvent;
}

function projectToDoc(project: Project): IProjectDoc {
  const { id, ...rest } = project;
  return { _id: id, ...rest };
}

function docToProject(doc: IProjectDoc): Project {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

function docToUser(doc: IUserDoc): User {
  return {
    id: doc._id,
    email: doc.email,
    name: doc.name,
    provider: doc.provider
  };
}
