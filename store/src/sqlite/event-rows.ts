import type { JobEvent } from '@jaxlab/schemas';
import type { NewJobEvent } from '../events/contract.js';
import { eventStateOf, foldJobEvents } from '../events/fold-job-events.js';
import type { IJobRow } from './job-rows.js';
import { parseJsonColumn } from './job-rows.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Columns of a `job_events` row: the event's own fields as JSON `payload`. */
export interface IEventRow {
  jobId: string;
  seq: number;
  type: JobEvent['type'];
  time: string;
  payload: string;
}

/** An event from its row. */
export function rowToEvent(row: IEventRow): JobEvent {
  return {
    jobId: row.jobId,
    seq: row.seq,
    time: row.time,
    type: row.type,
    ...(JSON.parse(row.payload) as object)
  } as JobEvent;
}

/** Stores one numbered event; the caller has updated the job's `lastSeq`. */
export function insertEventRow(
  database: SqliteDatabase,
  event: JobEvent
): void {
  const { jobId, seq, time, type, ...payload } = event;
  database
    .prepare(
      `INSERT INTO job_events (jobId, seq, type, time, payload)
       VALUES (?, ?, ?, ?, ?)`
    )
    .run(jobId, seq, type, time, JSON.stringify(payload));
}

/**
 * Numbers, folds and stores events of an existing job, updating the job
 * row; call inside {@link SqliteDatabase.immediate}, and notify
 * `database.appends` after it commits.
 *
 * @throws JaxLabError `JOB_FINISHED` past a final status (see foldJobEvents).
 */
export function appendEventRows(
  database: SqliteDatabase,
  jobId: string,
  events: readonly NewJobEvent[],
  now: Date = new Date()
): JobEvent[] {
  const row = database
    .prepare(
      `SELECT status, lastSeq, logTail, startedAt, finishedAt, failure, metrics,
         phases, progress, series
       FROM jobs WHERE id = ?`
    )
    .get(jobId) as IJobRow;
  const state = eventStateOf({
    ...row,
    failure: parseJsonColumn(row.failure),
    metrics: parseJsonColumn(row.metrics),
    phases: parseJsonColumn(row.phases),
    progress: parseJsonColumn(row.progress),
    series: parseJsonColumn(row.series)
  });
  const folded = foldJobEvents(jobId, state, events, now);
  for (const event of folded.events) insertEventRow(database, event);
  const s = folded.state;
  database
    .prepare(
      `UPDATE jobs SET status = ?, lastSeq = ?, logTail = ?, startedAt = ?,
         finishedAt = ?, failure = ?, metrics = ?, phases = ?, progress = ?,
         series = ?, updatedAt = ?,
         -- An ended job holds no lease: the lease sweep's index keeps
         -- only live ones.
         leaseExpiresAt = CASE WHEN ? THEN NULL ELSE leaseExpiresAt END
       WHERE id = ?`
    )
    .run(
      s.status,
      s.lastSeq,
      s.logTail,
      s.startedAt ?? null,
      s.finishedAt ?? null,
      s.failure ? JSON.stringify(s.failure) : null,
      s.metrics ? JSON.stringify(s.metrics) : null,
      jsonOrNull(s.phases),
      jsonOrNull(s.progress),
      jsonOrNull(s.series),
      now.toISOString(),
      s.finishedAt === undefined ? 0 : 1,
      jobId
    );
  return folded.events;
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
