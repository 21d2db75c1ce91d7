import type { JobEvent, LogChunk, RunManifest } from '@jaxlab/schemas';
import type { IEventRow } from '../sqlite/event-rows.js';
import { appendEventRows, rowToEvent } from '../sqlite/event-rows.js';
import type { IJobRow } from '../sqlite/job-rows.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IJobEvents, NewJobEvent } from './contract.js';
import { checkAppendAllowed, jobNotFound } from './job-errors.js';
import type { IJobProgress } from './watch-job-events.js';
import { WatchableJobEvents } from './watch-job-events.js';

/**
 * {@link IJobEvents} on the embedded SQLite file: one row per event, keyed
 * (jobId, seq). Appends are `BEGIN IMMEDIATE` transactions; `watch` works
 * across processes through `database.appends`.
 */
export class SqliteJobEvents extends WatchableJobEvents implements IJobEvents {
  constructor(database: SqliteDatabase) {
    super();
    this._database = database;
  }

  async append(
    jobId: string,
    events: NewJobEvent[],
    options: { hostId?: string } = {}
  ): Promise<JobEvent[]> {
    if (events.length === 0) return [];
    const database = this._database;
    const out = database.immediate(() => {
      const row = database
        .prepare('SELECT status, leaseHolder, failure FROM jobs WHERE id = ?')
        .get(jobId) as
        Pick<IJobRow, 'status' | 'leaseHolder' | 'failure'> | undefined;
      if (!row) throw jobNotFound(jobId);
      checkAppendAllowed(jobId, row, options.hostId);
      return appendEventRows(database, jobId, events);
    });
    database.appends.notify(jobId);
    return out;
  }

  async read(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]> {
    const rows = this._database
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
    const rows = this._database
      .prepare(
        `SELECT jobId, seq, type, time, payload FROM job_events
         WHERE jobId = ? AND type = 'job:log' AND seq > ? ORDER BY seq LIMIT ?`
      )
      .all(jobId, afterSeq, Math.max(0, limit)) as IEventRow[];
    return rows.map(row => {
      const { stream, text } = JSON.parse(row.payload) as Pick<
        LogChunk,
        'stream' | 'text'
      >;
      return { jobId: row.jobId, seq: row.seq, stream, text, time: row.time };
    });
  }

  async setManifest(jobId: string, manifest: RunManifest): Promise<void> {
    const result = this._database
      .prepare('UPDATE jobs SET manifest = ?, updatedAt = ? WHERE id = ?')
      .run(JSON.stringify(manifest), new Date().toISOString(), jobId);
    if (result.changes === 0) throw jobNotFound(jobId);
  }

  async deleteLogsFinishedBefore(
    projectId: string,
    cutoff: Date
  ): Promise<number> {
    const database = this._database;
    return database.immediate(() => {
      const rows = database
        .prepare(
          `SELECT id FROM jobs WHERE projectId = ? AND finishedAt IS NOT NULL
             AND finishedAt < ? AND logsDeleted = 0`
        )
        .all(projectId, cutoff.toISOString()) as { id: string }[];
      for (const { id } of rows) {
        database
          .prepare(
            `DELETE FROM job_events WHERE jobId = ? AND type = 'job:log'`
          )
          .run(id);
        database
          .prepare(`UPDATE jobs SET logsDeleted = 1, logTail = '' WHERE id = ?`)
          .run(id);
      }
      return rows.length;
    });
  }

  protected get _isDisposed(): boolean {
    return this._database.isDisposed;
  }

  protected async _readProgress(jobId: string): Promise<IJobProgress | null> {
    const row = this._database
      .prepare('SELECT status, lastSeq FROM jobs WHERE id = ?')
      .get(jobId) as IJobProgress | undefined;
    return row ?? null;
  }

  protected _waitForAppend(
    jobId: string,
    _seenSeq: number,
    signal: AbortSignal | undefined
  ): Promise<void> {
    return this._database.appends.wait(jobId, signal);
  }

  private _database: SqliteDatabase;
}
