import type { Job, ProjectFile } from '@jaxlab/schemas';
import type { PlainJobFields } from '../jobs/stored-job.js';
import { storedJobToJob } from '../jobs/stored-job.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Columns of a `jobs` row (JSON columns as text, booleans as 0/1). */
export interface IJobRow extends PlainJobFields {
  id: string;
  deviceCount: number;
  profile: number;
  args: string;
  tags: string;
  /** JSON array of ProjectFile. */
  files?: string;
  leaseHolder: string | null;
  leaseExpiresAt: number | null;
  attempt: number;
  logsDeleted: number;
  cancelRequested: number;
  failure: string | null;
  metrics: string | null;
  manifest: string | null;
  phases: string | null;
  progress: string | null;
  series: string | null;
  regression: string | null;
}

/** Every column but code, files and requirements: a {@link JobSummary}'s. */
export const JOB_SUMMARY_COLUMNS = `id, owner, projectId, status, accelerator,
  deviceCount, profile, entrypoint, args, name, tags, notes, timeLimitMs,
  createdAt, updatedAt, startedAt, finishedAt, host, leaseHolder,
  leaseExpiresAt, attempt, lastSeq, logTail, logsDeleted, cancelRequested,
  failure, metrics, manifest, phases, progress, series, regression`;

/** The job with this id, or null. */
export function readJob(database: SqliteDatabase, id: string): Job | null {
  const row = database.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as
    IJobRow | undefined;
  return row ? rowToJob(row) : null;
}

/** Parses a JSON column; null stays undefined. */
export function parseJsonColumn<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** A job (or, without code, files and requirements, a summary) from its row. */
export function rowToJob(row: IJobRow): Job {
  return storedJobToJob({
    ...row,
    args: JSON.parse(row.args) as Job['args'],
    tags: JSON.parse(row.tags) as string[],
    profile: row.profile === 1,
    files:
      row.files === undefined
        ? undefined
        : (JSON.parse(row.files) as ProjectFile[]),
    logsDeleted: row.logsDeleted === 1,
    cancelRequested: row.cancelRequested === 1,
    failure: parseJsonColumn(row.failure),
    metrics: parseJsonColumn(row.metrics),
    manifest: parseJsonColumn(row.manifest),
    phases: parseJsonColumn(row.phases),
    progress: parseJsonColumn(row.progress),
    series: parseJsonColumn(row.series),
    regression: parseJsonColumn(row.regression)
  });
}
