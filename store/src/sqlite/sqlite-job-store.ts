import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type {
  ApiToken,
  HostInfo,
  Job,
  JobEvent,
  JobStatus,
  LogChunk,
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
import {
  cancelledWhileQueuedFailure,
  hostLostFailure
} from '../jobs/job-failures.js';
import { checkAppendAllowed, jobNotFound } from '../jobs/job-errors.js';
import { SeqWaiters } from '../jobs/seq-waiters.js';
import { newTimeOrderedId } from '../jobs/time-ordered-id.js';
import { newProject, patchProject } from '../projects/new-project.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

/** Events read per query by `watchEvents`. */
const WATCH_PAGE_SIZE = 500;

/** How often a waiting watcher checks for another process's commit. */
const DATA_VERSION_POLL_MS = 5;

/** Longest a watcher sleeps without re-reading, against lost wake-ups. */
const WATCH_SAFETY_MS = 1000;

const FINAL_LIST_SQL = FINAL_JOB_STATUSES.map(s => `'${s}'`).join(', ');

/** Columns of a job row (JSON columns as text, booleans as 0/1). */
interface IJobRow {
  id: string;
  owner: string;
  projectId: string | null;
  status: JobStatus;
  accelerator: Job['accelerator'];
  entrypoint: string;
  args: string;
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
  logsDeleted: number;
  cancelRequested: number;
  failure: string | null;
  metrics: string | null;
  manifest: string | null;
}

interface IEventRow {
  jobId: string;
  seq: number;
  type: JobEvent['type'];
  time: string;
  payload: string;
}

/**
 * The embedded store: one SQLite file (WAL, `synchronous=NORMAL`, foreign
 * keys) shared by the server and the gateway processes on one machine.
 * better-sqlite3 is synchronous, so every method runs to completion without
 * interleaving inside this process; writes that must be atomic against other
 * processes run in `BEGIN IMMEDIATE` transactions.
 *
 * `watchEvents` works across processes: an append in this process wakes its
 * watchers at once; a commit by another process is noticed by polling
 * `PRAGMA data_version` every 5 ms while anyone watches.
 *
 * @example
 * ```ts
 * const store = new SqliteJobStore({ path: join(dataDir, 'jaxlab.db') });
 * await store.init();
 * ```
 */
export class SqliteJobStore implements IJobStore {
  readonly kind = 'sqlite' as const;

  /** Opens nothing yet; {@link SqliteJobStore.init} opens the file. */
  constructor(options: SqliteJobStore.IOptions) {
    this._path = options.path;
  }

  /** Path of the database file (or `:memory:`). */
  get path(): string {
    return this._path;
  }

  async init(): Promise<void> {
    if (this._db) return;
    if (this._disposed) {
      throw new JaxLabError('STORE_UNAVAILABLE', 'The store was disposed.');
    }
    if (this._path !== ':memory:') {
      mkdirSync(dirname(this._path), { recursive: true });
    }
    let db: Database.Database;
    try {
      db = new Database(this._path);
    } catch (cause) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        `Cannot open the SQLite database ${this._path}.`,
        { cause, hint: 'Check that the data folder exists and is writable.' }
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
        db.exec(SQLITE_MIGRATIONS[v]);
      }
      if (version < SQLITE_MIGRATIONS.length) {
        db.pragma(`user_version = ${SQLITE_MIGRATIONS.length}`);
      }
    }).immediate();
    this._db = db;
    this._dataVersion = db.pragma('data_version', { simple: true }) as number;
  }

  async dispose(): Promise<void> {
    if (this._disposed) return;
    this._disposed = true;
    this._stopPolling();
    this._waiters.wakeAll();
    this._db?.close();
    this._db = null;
  }

  // ---- Jobs -------------------------------------------------------------

  async createJob(owner: string, input: IJobStore.ICreateJob): Promise<Job> {
    const db = this._open();
    const now = new Date();
    const time = now.toISOString();
    const id = newTimeOrderedId(now.getTime());
    db.prepare(
      `INSERT INTO jobs (id, owner, projectId, status, accelerator, entrypoint,
         args, code, requirements, timeLimitMs, createdAt, updatedAt)
       VALUES (?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(
      id,
      owner,
      input.projectId,
      input.accelerator,
      input.entrypoint,
      JSON.stringify(input.args),
      input.code,
      input.requirements,
      input.timeLimitMs ?? null,
      time,
      time
    );
    return this._getJobRow(id)!;
  }

  async getJob(id: string, owner?: string): Promise<Job | null> {
    const job = this._getJobRow(id);
    if (!job || (owner !== undefined && job.owner !== owner)) return null;
    return job;
  }

  async listJobs(query: IJobStore.IJobQuery): Promise<IPage<JobSummary>> {
    const db = this._open();
    const limit = jobPageSize(query.limit);
    const where = ['owner = @owner'];
    const params: Record<string, unknown> = { owner: query.owner };
    if (query.status?.length) {
      where.push('status IN (SELECT value FROM json_each(@statuses))');
      params.statuses = JSON.stringify(query.status);
    }
    if (query.projectId !== undefined) {
      where.push('projectId = @projectId');
      params.projectId = query.projectId;
    }
    if (query.cursor) {
      const cursor = decodeJobCursor(query.cursor);
      where.push('(createdAt < @cAt OR (createdAt = @cAt AND id < @cId))');
      params.cAt = cursor.createdAt;
      params.cId = cursor.id;
    }
    const rows = db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')}
         ORDER BY createdAt DESC, id DESC LIMIT ${limit + 1}`
      )
      .all(params) as IJobRow[];
    const items = rows.slice(0, limit).map(row => rowToJob(row) as JobSummary);
    const last = items[items.length - 1];
    return rows.length > limit
      ? { items, nextCursor: encodeJobCursor(last) }
      : { items };
  }

  async requestCancel(id: string, owner: string): Promise<Job | null> {
    const db = this._open();
    let appended = false;
    const found = db
      .transaction(() => {
        const row = db
          .prepare(
            'SELECT status, lastSeq FROM jobs WHERE id = ? AND owner = ?'
          )
          .get(id, owner) as Pick<IJobRow, 'status' | 'lastSeq'> | undefined;
        if (!row) return false;
        if (row.status === 'QUEUED') {
          this._appendInTransaction(id, [
            {
              type: 'job:status',
              status: 'CANCELLED',
              failure: cancelledWhileQueuedFailure()
            }
          ]);
          db.prepare('UPDATE jobs SET cancelRequested = 1 WHERE id = ?').run(
            id
          );
          appended = true;
        } else if (!isFinalJobStatus(row.status)) {
          db.prepare(
            'UPDATE jobs SET cancelRequested = 1, updatedAt = ? WHERE id = ?'
          ).run(new Date().toISOString(), id);
        }
        return true;
      })
      .immediate();
    if (appended) this._waiters.wake(id);
    return found ? this._getJobRow(id) : null;
  }

  // ---- The queue --------------------------------------------------------

  async claimNextJob(options: IJobStore.IClaimOptions): Promise<Job | null> {
    const db = this._open();
    if (options.accelerators.length === 0) return null;
    const now = options.now ?? new Date();
    const time = now.toISOString();
    const id = db
      .transaction(() => {
        // One statement picks and takes the job, so two claimers (in any
        // process) can never take the same one.
        const row = db
          .prepare(
            `UPDATE jobs SET status = 'COMPILING', host = @hostId,
               leaseHolder = @hostId, leaseExpiresAt = @expires,
               lastSeq = lastSeq + 1, updatedAt = @time
             WHERE id = (
               SELECT id FROM jobs
               WHERE status = 'QUEUED'
                 AND accelerator IN (SELECT value FROM json_each(@accelerators))
               ORDER BY createdAt, rowid LIMIT 1)
             RETURNING id, lastSeq`
          )
          .get({
            hostId: options.hostId,
            expires: now.getTime() + options.leaseMs,
            time,
            accelerators: JSON.stringify(options.accelerators)
          }) as { id: string; lastSeq: number } | undefined;
        if (!row) return null;
        this._insertEvent({
          jobId: row.id,
          seq: row.lastSeq,
          time,
          type: 'job:status',
          status: 'COMPILING'
        });
        return row.id;
      })
      .immediate();
    if (id === null) return null;
    this._waiters.wake(id);
    return this._getJobRow(id);
  }

  async renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const db = this._open();
    const row = db
      .prepare(
        `UPDATE jobs SET leaseExpiresAt = ?
         WHERE id = ? AND leaseHolder = ? AND status NOT IN (${FINAL_LIST_SQL})
         RETURNING cancelRequested`
      )
      .get(Date.now() + leaseMs, jobId, hostId) as
      { cancelRequested: number } | undefined;
    if (!row) {
      const job = this._getJobRow(jobId);
      return { held: false, cancelRequested: job?.cancelRequested ?? false };
    }
    return { held: true, cancelRequested: row.cancelRequested === 1 };
  }

  async expireLapsedLeases(now: Date = new Date()): Promise<Job[]> {
    const db = this._open();
    const ids = db
      .transaction(() => {
        const rows = db
          .prepare(
            `SELECT id, host FROM jobs
             WHERE leaseExpiresAt IS NOT NULL AND leaseExpiresAt < ?
               AND status NOT IN (${FINAL_LIST_SQL})`
          )
          .all(now.getTime()) as { id: string; host: string | null }[];
        for (const row of rows) {
          this._appendInTransaction(
            row.id,
            [
              {
                type: 'job:status',
                status: 'FAILED',
                failure: hostLostFailure(row.host ?? undefined)
              }
            ],
            now
          );
        }
        return rows.map(row => row.id);
      })
      .immediate();
    for (const id of ids) this._waiters.wake(id);
    return ids.map(id => this._getJobRow(id)!);
  }

  // ---- Events -----------------------------------------------------------

  async appendEvents(
    jobId: string,
    events: NewJobEvent[],
    options: { hostId?: string } = {}
  ): Promise<JobEvent[]> {
    const db = this._open();
    if (events.length === 0) {
      return [];
    }
    const out = db
      .transaction(() => {
        const row = db
          .prepare('SELECT status, leaseHolder, failure FROM jobs WHERE id = ?')
          .get(jobId) as
          Pick<IJobRow, 'status' | 'leaseHolder' | 'failure'> | undefined;
        if (!row) throw jobNotFound(jobId);
        checkAppendAllowed(jobId, row, options.hostId);
        return this._appendInTransaction(jobId, events);
      })
      .immediate();
    this._waiters.wake(jobId);
    return out;
  }

  async readEvents(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]> {
    const rows = this._open()
      .prepare(
        `SELECT jobId, seq, type, time, payload FROM job_events
         WHERE jobId = ? AND seq > ? ORDER BY seq LIMIT ?`
      )
      .all(jobId, afterSeq, Math.max(0, limit)) as IEventRow[];
    return rows.map(rowToEvent);
  }

  async readLogs(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<LogChunk[]> {
    const rows = this._open()
      .prepare(
        `SELECT jobId, seq, type, time, payload FROM job_events
         WHERE jobId = ? AND seq > ? AND type = 'job:log' ORDER BY seq LIMIT ?`
      )
      .all(jobId, afterSeq, Math.max(0, limit)) as IEventRow[];
    return rows.map(row => {
      const payload = JSON.parse(row.payload) as Pick<
        LogChunk,
        'stream' | 'text'
      >;
      return {
        jobId: row.jobId,
        seq: row.seq,
        stream: payload.stream,
        text: payload.text,
        time: row.time
      };
    });
  }

  async *watchEvents(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent> {
    let last = afterSeq;
    while (!signal?.aborted && !this._disposed) {
      const page = await this.readEvents(jobId, last, WATCH_PAGE_SIZE);
      for (const event of page) {
        if (signal?.aborted) return;
        yield event;
        last = event.seq;
        if (event.type === 'job:status' && isFinalJobStatus(event.status)) {
          return;
        }
      }
      if (page.length === WATCH_PAGE_SIZE || this._disposed) continue;
      const job = this._open()
        .prepare('SELECT status, lastSeq FROM jobs WHERE id = ?')
        .get(jobId) as Pick<IJobRow, 'status' | 'lastSeq'> | undefined;
      if (!job) throw jobNotFound(jobId);
      if (job.lastSeq > last) continue;
      // Already past the final status event (afterSeq was at or beyond it).
      if (isFinalJobStatus(job.status)) return;
      const waiting = this._waiters.wait(jobId, signal, WATCH_SAFETY_MS);
      this._startPolling();
      await waiting;
    }
  }

  async setManifest(jobId: string, manifest: RunManifest): Promise<void> {
    const result = this._open()
      .prepare('UPDATE jobs SET manifest = ?, updatedAt = ? WHERE id = ?')
      .run(JSON.stringify(manifest), new Date().toISOString(), jobId);
    if (result.changes === 0) throw jobNotFound(jobId);
  }

  async deleteLogsFinishedBefore(
    projectId: string,
    cutoff: Date
  ): Promise<number> {
    const db = this._open();
    return db
      .transaction(() => {
        const ids = (
          db
            .prepare(
              `SELECT id FROM jobs WHERE projectId = ? AND finishedAt IS NOT NULL
                 AND finishedAt < ? AND logsDeleted = 0`
            )
            .all(projectId, cutoff.toISOString()) as { id: string }[]
        ).map(row => row.id);
        const deleteLogs = db.prepare(
          `DELETE FROM job_events WHERE jobId = ? AND type = 'job:log'`
        );
        const mark = db.prepare(
          `UPDATE jobs SET logsDeleted = 1, logTail = '' WHERE id = ?`
        );
        for (const id of ids) {
          deleteLogs.run(id);
          mark.run(id);
        }
        return ids.length;
      })
      .immediate();
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
    this._open()
      .prepare(
        `INSERT INTO projects (id, owner, logRetentionDays, createdAt, doc)
         VALUES (?, ?, ?, ?, ?)`
      )
      .run(
        project.id,
        owner,
        project.logRetentionDays ?? null,
        project.createdAt,
        JSON.stringify(project)
      );
    return project;
  }

  async getProject(id: string, owner: string): Promise<Project | null> {
    const row = this._open()
      .prepare('SELECT doc FROM projects WHERE id = ? AND owner = ?')
      .get(id, owner) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Project) : null;
  }

  async listProjects(owner: string): Promise<Project[]> {
    const rows = this._open()
      .prepare(
        'SELECT doc FROM projects WHERE owner = ? ORDER BY createdAt, id'
      )
      .all(owner) as { doc: string }[];
    return rows.map(row => JSON.parse(row.doc) as Project);
  }

  async listProjectsWithRetention(): Promise<Project[]> {
    const rows = this._open()
      .prepare(
        `SELECT doc FROM projects WHERE logRetentionDays IS NOT NULL
         ORDER BY createdAt, id`
      )
      .all() as { doc: string }[];
    return rows.map(row => JSON.parse(row.doc) as Project);
  }

  async updateProject(
    id: string,
    owner: string,
    patch: ProjectWrite
  ): Promise<Project | null> {
    const db = this._open();
    return db
      .transaction(() => {
        const current = db
          .prepare('SELECT doc FROM projects WHERE id = ? AND owner = ?')
          .get(id, owner) as { doc: string } | undefined;
        if (!current) return null;
        const project = patchProject(
          JSON.parse(current.doc) as Project,
          patch,
          new Date()
        );
        db.prepare(
          'UPDATE projects SET logRetentionDays = ?, doc = ? WHERE id = ?'
        ).run(project.logRetentionDays ?? null, JSON.stringify(project), id);
        return project;
      })
      .immediate();
  }

  async deleteProject(id: string, owner: string): Promise<boolean> {
    const result = this._open()
      .prepare('DELETE FROM projects WHERE id = ? AND owner = ?')
      .run(id, owner);
    return result.changes > 0;
  }

  // ---- Users, sessions, tokens -------------------------------------------

  async upsertUser(input: IJobStore.IUserInput): Promise<User> {
    const row = this._open()
      .prepare(
        `INSERT INTO users (id, provider, subject, email, name, createdAt)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (provider, subject)
           DO UPDATE SET email = excluded.email, name = excluded.name
         RETURNING id, email, name, provider`
      )
      .get(
        randomUUID(),
        input.provider,
        input.subject,
        input.email,
        input.name,
        new Date().toISOString()
      ) as User;
    return { ...row };
  }

  async getUser(id: string): Promise<User | null> {
    const row = this._open()
      .prepare('SELECT id, email, name, provider FROM users WHERE id = ?')
      .get(id) as User | undefined;
    return row ? { ...row } : null;
  }

  async putSession(
    sidHash: string,
    data: unknown,
    expiresAt: Date
  ): Promise<void> {
    this._open()
      .prepare(
        `INSERT INTO sessions (sidHash, data, expiresAt) VALUES (?, ?, ?)
         ON CONFLICT (sidHash)
           DO UPDATE SET data = excluded.data, expiresAt = excluded.expiresAt`
      )
      .run(sidHash, JSON.stringify(data ?? null), expiresAt.getTime());
  }

  async getSession(
    sidHash: string,
    now: Date = new Date()
  ): Promise<unknown | null> {
    const db = this._open();
    const row = db
      .prepare('SELECT data, expiresAt FROM sessions WHERE sidHash = ?')
      .get(sidHash) as { data: string; expiresAt: number } | undefined;
    if (!row) return null;
    if (row.expiresAt <= now.getTime()) {
      db.prepare(
        'DELETE FROM sessions WHERE sidHash = ? AND expiresAt <= ?'
      ).run(sidHash, now.getTime());
      return null;
    }
    return JSON.parse(row.data) as unknown;
  }

  async deleteSession(sidHash: string): Promise<void> {
    this._open().prepare('DELETE FROM sessions WHERE sidHash = ?').run(sidHash);
  }

  async createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken> {
    const token: ApiToken = {
      id: randomUUID(),
      name,
      createdAt: new Date().toISOString()
    };
    try {
      this._open()
        .prepare(
          `INSERT INTO api_tokens (id, owner, name, hash, createdAt)
           VALUES (?, ?, ?, ?, ?)`
        )
        .run(token.id, owner, name, tokenHash, token.createdAt);
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new JaxLabError('CONFLICT', 'A token with this hash exists.', {
          cause,
          hint: 'Generate a new random token secret.'
        });
      }
      throw cause;
    }
    return token;
  }

  async listApiTokens(owner: string): Promise<ApiToken[]> {
    const rows = this._open()
      .prepare(
        `SELECT id, name, createdAt, lastUsedAt FROM api_tokens
         WHERE owner = ? ORDER BY createdAt, id`
      )
      .all(owner) as (ApiToken & { lastUsedAt: string | null })[];
    return rows.map(({ lastUsedAt, ...token }) =>
      lastUsedAt ? { ...token, lastUsedAt } : token
    );
  }

  async revokeApiToken(id: string, owner: string): Promise<boolean> {
    const result = this._open()
      .prepare('DELETE FROM api_tokens WHERE id = ? AND owner = ?')
      .run(id, owner);
    return result.changes > 0;
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const row = this._open()
      .prepare(
        `UPDATE api_tokens SET lastUsedAt = ? WHERE hash = ? RETURNING owner`
      )
      .get(new Date().toISOString(), tokenHash) as
      { owner: string } | undefined;
    return row ? this.getUser(row.owner) : null;
  }

  // ---- Hosts --------------------------------------------------------------

  async upsertHost(host: HostInfo): Promise<void> {
    const lastSeenAt = new Date(host.lastSeenAt).toISOString();
    this._open()
      .prepare(
        `INSERT INTO hosts (hostId, lastSeenAt, doc) VALUES (?, ?, ?)
         ON CONFLICT (hostId)
           DO UPDATE SET lastSeenAt = excluded.lastSeenAt, doc = excluded.doc`
      )
      .run(host.hostId, lastSeenAt, JSON.stringify({ ...host, lastSeenAt }));
  }

  async listHosts(since: Date): Promise<HostInfo[]> {
    const rows = this._open()
      .prepare('SELECT doc FROM hosts WHERE lastSeenAt >= ? ORDER BY hostId')
      .all(since.toISOString()) as { doc: string }[];
    return rows.map(row => JSON.parse(row.doc) as HostInfo);
  }

  // ---- Internals ----------------------------------------------------------

  private _open(): Database.Database {
    if (!this._db) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        this._disposed
          ? 'The SQLite store was disposed.'
          : 'The SQLite store is not initialised.',
        { hint: 'Call init() before using the store, and not after dispose().' }
      );
    }
    return this._db;
  }

  private _getJobRow(id: string): Job | null {
    const row = this._open()
      .prepare('SELECT * FROM jobs WHERE id = ?')
      .get(id) as IJobRow | undefined;
    return row ? rowToJob(row) : null;
  }

  /** Numbers, folds and stores events; call inside a transaction. */
  private _appendInTransaction(
    jobId: string,
    events: readonly NewJobEvent[],
    now: Date = new Date()
  ): JobEvent[] {
    const db = this._open();
    const row = db
      .prepare(
        `SELECT status, lastSeq, logTail, startedAt, finishedAt, failure, metrics
         FROM jobs WHERE id = ?`
      )
      .get(jobId) as IJobRow;
    const folded = foldJobEvents(
      jobId,
      {
        status: row.status,
        lastSeq: row.lastSeq,
        logTail: row.logTail,
        startedAt: row.startedAt ?? undefined,
        finishedAt: row.finishedAt ?? undefined,
        failure: parseJson(row.failure),
        metrics: parseJson(row.metrics)
      },
      events,
      now
    );
    for (const event of folded.events) this._insertEvent(event);
    const s = folded.state;
    db.prepare(
      `UPDATE jobs SET status = ?, lastSeq = ?, logTail = ?, startedAt = ?,
         finishedAt = ?, failure = ?, metrics = ?, updatedAt = ?
       WHERE id = ?`
    ).run(
      s.status,
      s.lastSeq,
      s.logTail,
      s.startedAt ?? null,
      s.finishedAt ?? null,
      s.failure ? JSON.stringify(s.failure) : null,
      s.metrics ? JSON.stringify(s.metrics) : null,
      now.toISOString(),
      jobId
    );
    return folded.events;
  }

  private _insertEvent(event: JobEvent): void {
    const { jobId, seq, time, type, ...payload } = event;
    (this._insertEventStatement ??= this._open().prepare(
      `INSERT INTO job_events (jobId, seq, type, time, payload)
       VALUES (?, ?, ?, ?, ?)`
    )).run(jobId, seq, type, time, JSON.stringify(payload));
  }

  /**
   * Polls `PRAGMA data_version` (a counter that changes when another
   * connection commits) while any watcher waits, and wakes them all on a
   * change; each re-reads its job's lastSeq, which is cheap.
   */
  private _startPolling(): void {
    if (this._pollTimer || this._disposed) return;
    this._pollTimer = setInterval(() => {
      if (!this._db || this._waiters.isEmpty) {
        this._stopPolling();
        return;
      }
      const version = this._db.pragma('data_version', {
        simple: true
      }) as number;
      if (version !== this._dataVersion) {
        this._dataVersion = version;
        this._waiters.wakeAll();
      }
    }, DATA_VERSION_POLL_MS);
    this._pollTimer.unref();
  }

  private _stopPolling(): void {
    if (this._pollTimer) {
      clearInterval(this._pollTimer);
      this._pollTimer = null;
    }
  }

  private _path: string;
  private _db: Database.Database | null = null;
  private _disposed = false;
  private _dataVersion = 0;
  private _pollTimer: NodeJS.Timeout | null = null;
  private _insertEventStatement: Database.Statement | null = null;
  private _waiters = new SeqWaiters();
}

/** Statics of {@link SqliteJobStore}. */
export namespace SqliteJobStore {
  /** Options of {@link SqliteJobStore}. */
  export interface IOptions {
    /** The database file (created with its folder), or `:memory:`. */
    path: string;
  }
}

const SUMMARY_COLUMNS = `id, owner, projectId, status, accelerator, entrypoint,
  args, timeLimitMs, createdAt, updatedAt, startedAt, finishedAt, host,
  leaseHolder, leaseExpiresAt, lastSeq, logTail, logsDeleted, cancelRequested,
  failure, metrics, manifest`;

function parseJson<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

function rowToJob(row: IJobRow): Job {
  const job: Partial<Job> & Record<string, unknown> = {
    id: row.id,
    owner: row.owner,
    projectId: row.projectId,
    status: row.status,
    accelerator: row.accelerator,
    entrypoint: row.entrypoint,
    args: JSON.parse(row.args) as Job['args']
  };
  if (row.code !== undefined) job.code = row.code;
  if (row.requirements !== undefined) job.requirements = row.requirements;
  if (row.timeLimitMs !== null) job.timeLimitMs = row.timeLimitMs;
  job.createdAt = row.createdAt;
  job.updatedAt = row.updatedAt;
  if (row.startedAt !== null) job.startedAt = row.startedAt;
  if (row.finishedAt !== null) job.finishedAt = row.finishedAt;
  if (row.host !== null) job.host = row.host;
  job.lastSeq = row.lastSeq;
  job.logTail = row.logTail;
  if (row.logsDeleted) job.logsDeleted = true;
  job.cancelRequested = row.cancelRequested === 1;
  if (row.failure !== null)
    job.failure = JSON.parse(row.failure) as Job['failure'];
  if (row.metrics !== null)
    job.metrics = JSON.parse(row.metrics) as Job['metrics'];
  if (row.manifest !== null) {
    job.manifest = JSON.parse(row.manifest) as Job['manifest'];
  }
  return job as Job;
}

function rowToEvent(row: IEventRow): JobEvent {
  return {
    jobId: row.jobId,
    seq: row.seq,
    time: row.time,
    type: row.type,
    ...(JSON.parse(row.payload) as object)
  } as JobEvent;
}
