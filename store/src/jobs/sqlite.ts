import type { Job, JobStatus } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import { appendEventRows } from '../sqlite/event-rows.js';
import type { IJobRow } from '../sqlite/job-rows.js';
import { JOB_SUMMARY_COLUMNS, readJob, rowToJob } from '../sqlite/job-rows.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IJobs, IPage, JobSummary } from './contract.js';
import { decodeJobCursor, encodeJobCursor, jobPageSize } from './job-cursor.js';
import { cancelledWhileQueuedFailure } from './job-failures.js';
import { newTimeOrderedId } from './time-ordered-id.js';

/** {@link IJobs} on the embedded SQLite file. */
export class SqliteJobs implements IJobs {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async create(owner: string, input: IJobs.ICreate): Promise<Job> {
    const now = new Date();
    const time = now.toISOString();
    const id = newTimeOrderedId(now.getTime());
    this._database
      .prepare(
        `INSERT INTO jobs (id, owner, projectId, status, accelerator,
           entrypoint, args, code, requirements, timeLimitMs, createdAt,
           updatedAt)
         VALUES (?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
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
    return readJob(this._database, id)!;
  }

  async get(id: string, owner?: string): Promise<Job | null> {
    const job = readJob(this._database, id);
    return job && (owner === undefined || job.owner === owner) ? job : null;
  }

  async list(query: IJobs.IQuery): Promise<IPage<JobSummary>> {
    const limit = jobPageSize(query.limit);
    const where = ['owner = @owner'];
    const params: Record<string, unknown> = { owner: query.owner, limit };
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
    // One more than a page tells whether another page follows.
    const rows = this._database
      .prepare(
        `SELECT ${JOB_SUMMARY_COLUMNS} FROM jobs WHERE ${where.join(' AND ')}
         ORDER BY createdAt DESC, id DESC LIMIT @limit + 1`
      )
      .all(params) as IJobRow[];
    const items = rows.slice(0, limit).map(row => rowToJob(row) as JobSummary);
    const last = items[items.length - 1];
    return rows.length > limit
      ? { items, nextCursor: encodeJobCursor(last) }
      : { items };
  }

  async requestCancel(id: string, owner: string): Promise<Job | null> {
    const database = this._database;
    const outcome = database.immediate(() => {
      const row = database
        .prepare('SELECT status FROM jobs WHERE id = ? AND owner = ?')
        .get(id, owner) as { status: JobStatus } | undefined;
      if (!row) return 'missing';
      if (row.status === 'QUEUED') {
        appendEventRows(database, id, [
          {
            type: 'job:status',
            status: 'CANCELLED',
            failure: cancelledWhileQueuedFailure()
          }
        ]);
        database
          .prepare('UPDATE jobs SET cancelRequested = 1 WHERE id = ?')
          .run(id);
        return 'cancelled';
      }
      if (!isFinalJobStatus(row.status)) {
        database
          .prepare(
            'UPDATE jobs SET cancelRequested = 1, updatedAt = ? WHERE id = ?'
          )
          .run(new Date().toISOString(), id);
      }
      return 'flagged';
    });
    if (outcome === 'missing') return null;
    if (outcome === 'cancelled') database.appends.notify(id);
    return readJob(database, id);
  }

  private _database: SqliteDatabase;
}
