import type { Job } from '@jaxlab/schemas';
import { FINAL_JOB_STATUSES } from '@jaxlab/schemas';
import { hostLostFailure } from '../jobs/job-failures.js';
import { appendEventRows, insertEventRow } from '../sqlite/event-rows.js';
import { readJob } from '../sqlite/job-rows.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IJobQueue } from './contract.js';

const FINAL_LIST_SQL = FINAL_JOB_STATUSES.map(s => `'${s}'`).join(', ');

/** {@link IJobQueue} on the embedded SQLite file. */
export class SqliteJobQueue implements IJobQueue {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async claimNext(options: IJobQueue.IClaimOptions): Promise<Job | null> {
    if (options.capacity.length === 0) return null;
    const database = this._database;
    const now = options.now ?? new Date();
    const time = now.toISOString();
    const id = database.immediate(() => {
      // One statement picks and takes the job, so two claimers (in any
      // process) can never take the same one.
      const row = database
        .prepare(
          `UPDATE jobs SET status = 'COMPILING', host = @hostId,
             leaseHolder = @hostId, leaseExpiresAt = @expires,
             lastSeq = lastSeq + 1, updatedAt = @time
           WHERE id = (
             SELECT id FROM jobs AS j
             WHERE status = 'QUEUED'
               AND EXISTS (
                 SELECT 1 FROM json_each(@capacity) AS c
                 WHERE c.value ->> '$.accelerator' = j.accelerator
                   AND j.deviceCount
                     BETWEEN c.value ->> '$.min' AND c.value ->> '$.max')
               AND (@queuedBefore IS NULL OR createdAt < @queuedBefore)
               AND (@cap IS NULL OR @cap > (
                 SELECT COUNT(*) FROM jobs AS a
                 WHERE a.owner = j.owner
                   AND a.status IN ('COMPILING', 'RUNNING')))
             ORDER BY fairRank, createdAt, rowid LIMIT 1)
           RETURNING id, lastSeq`
        )
        .get({
          hostId: options.hostId,
          expires: now.getTime() + options.leaseMs,
          time,
          capacity: JSON.stringify(
            options.capacity.map(c => ({
              accelerator: c.accelerator,
              min: c.minDevices ?? 1,
              max: c.maxDevices
            }))
          ),
          queuedBefore: options.queuedBefore?.toISOString() ?? null,
          cap: options.maxJobsPerOwner ?? null
        }) as { id: string; lastSeq: number } | undefined;
      if (!row) return null;
      insertEventRow(database, {
        jobId: row.id,
        seq: row.lastSeq,
        time,
        type: 'job:status',
        status: 'COMPILING'
      });
      return row.id;
    });
    if (id === null) return null;
    database.appends.notify(id);
    return readJob(database, id);
  }

  async renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<IJobQueue.ILeaseState> {
    const row = this._database
      .prepare(
        `UPDATE jobs SET leaseExpiresAt = ?
         WHERE id = ? AND leaseHolder = ? AND status NOT IN (${FINAL_LIST_SQL})
         RETURNING cancelRequested`
      )
      .get(Date.now() + leaseMs, jobId, hostId) as
      { cancelRequested: number } | undefined;
    if (row) return { held: true, cancelRequested: row.cancelRequested === 1 };
    const job = readJob(this._database, jobId);
    return { held: false, cancelRequested: job?.cancelRequested ?? false };
  }

  async requeue(jobId: string, hostId: string): Promise<boolean> {
    const database = this._database;
    const time = new Date().toISOString();
    const isRequeued = database.immediate(() => {
      const row = database
        .prepare(
          `UPDATE jobs SET status = 'QUEUED', host = NULL, leaseHolder = NULL,
             leaseExpiresAt = NULL, attempt = attempt + 1,
             lastSeq = lastSeq + 1, updatedAt = @time
           WHERE id = @jobId AND leaseHolder = @hostId
             AND status NOT IN (${FINAL_LIST_SQL})
           RETURNING lastSeq`
        )
        .get({ jobId, hostId, time }) as { lastSeq: number } | undefined;
      if (!row) return false;
      insertEventRow(database, {
        jobId,
        seq: row.lastSeq,
        time,
        type: 'job:status',
        status: 'QUEUED'
      });
      return true;
    });
    if (isRequeued) database.appends.notify(jobId);
    return isRequeued;
  }

  async expireLapsedLeases(now: Date = new Date()): Promise<Job[]> {
    const database = this._database;
    const ids = database.immediate(() => {
      const rows = database
        .prepare(
          `SELECT id, host FROM jobs
           WHERE leaseExpiresAt IS NOT NULL AND leaseExpiresAt < ?
             AND status NOT IN (${FINAL_LIST_SQL})`
        )
        .all(now.getTime()) as { id: string; host: string | null }[];
      for (const row of rows) {
        const failure = hostLostFailure(row.host ?? undefined);
        appendEventRows(
          database,
          row.id,
          [{ type: 'job:status', status: 'FAILED', failure }],
          now
        );
      }
      return rows.map(row => row.id);
    });
    for (const id of ids) database.appends.notify(id);
    return ids.map(id => readJob(database, id)!);
  }

  private _database: SqliteDatabase;
}
