import type {
  Job,
  JobStatus,
  JobUpdate,
  RegressionVerdict
} from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import { appendEventRows } from '../sqlite/event-rows.js';
import type { IJobRow } from '../sqlite/job-rows.js';
import { JOB_SUMMARY_COLUMNS, readJob, rowToJob } from '../sqlite/job-rows.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IJobs, IPage, JobSummary } from './contract.js';
import { decodeJobCursor, jobPage, jobPageSize } from './job-cursor.js';
import {
  METRIC_OPERATORS,
  checkJobFilters,
  checkRankQuery,
  rankLimit
} from './job-filters.js';
import { cancelledWhileQueuedFailure } from './job-failures.js';
import type { IFairRanks } from './fair-rank.js';
import { nextFairRank } from './fair-rank.js';
import { newJobFields } from './stored-job.js';

/** {@link IJobs} on the embedded SQLite file. */
export class SqliteJobs implements IJobs {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async create(owner: string, input: IJobs.ICreate): Promise<Job> {
    const job = newJobFields(input);
    const database = this._database;
    database.immediate(() => {
      const ranks = database
        .prepare(
          `SELECT (SELECT MIN(fairRank) FROM jobs WHERE status = 'QUEUED')
                    AS queueFront,
                  (SELECT MAX(fairRank) FROM jobs
                    WHERE status = 'QUEUED' AND owner = ?) AS ownerLast`
        )
        .get(owner) as IFairRanks;
      database
        .prepare(
          `INSERT INTO jobs (id, owner, projectId, status, accelerator,
             deviceCount, profile, entrypoint, args, name, tags, notes, code,
             files, requirements, timeLimitMs, fairRank, createdAt, updatedAt)
           VALUES (?, ?, ?, 'QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          job.id,
          owner,
          job.projectId,
          job.accelerator,
          job.deviceCount,
          job.profile ? 1 : 0,
          job.entrypoint,
          JSON.stringify(job.args),
          job.name,
          JSON.stringify(job.tags),
          job.notes,
          job.code,
          JSON.stringify(job.files),
          job.requirements,
          job.timeLimitMs,
          nextFairRank(ranks),
          job.createdAt,
          job.updatedAt
        );
    });
    return readJob(this._database, job.id)!;
  }

  async get(id: string, owner?: string): Promise<Job | null> {
    const job = readJob(this._database, id);
    return job && (owner === undefined || job.owner === owner) ? job : null;
  }

  async list(query: IJobs.IQuery): Promise<IPage<JobSummary>> {
    checkJobFilters(query);
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
    if (query.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(tags) WHERE value = @tag)');
      params.tag = query.tag;
    }
    if (query.nameContains) {
      where.push(`name LIKE @name ESCAPE '\\'`);
      params.name = `%${query.nameContains.replace(/[\\%_]/g, c => `\\${c}`)}%`;
    }
    argsWhere(query.args, where, params);
    if (query.metric) {
      const { name, op, value } = query.metric;
      where.push(
        `COALESCE(json_extract(series, @seriesPath), json_extract(metrics, @valuePath)) ${METRIC_OPERATORS[op].sql} @metricValue`
      );
      params.seriesPath = `$."${name}".last`;
      params.valuePath = `$.values."${name}"`;
      params.metricValue = value;
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
    return jobPage(rows, limit, row => rowToJob(row) as JobSummary);
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

  async update(
    id: string,
    owner: string,
    patch: JobUpdate
  ): Promise<Job | null> {
    const sets: string[] = [];
    const params: Record<string, unknown> = { id, owner };
    if (patch.name !== undefined) {
      sets.push('name = @name');
      params.name = patch.name;
    }
    if (patch.tags !== undefined) {
      sets.push('tags = @tags');
      params.tags = JSON.stringify(patch.tags);
    }
    if (patch.notes !== undefined) {
      sets.push('notes = @notes');
      params.notes = patch.notes;
    }
    if (sets.length) {
      params.now = new Date().toISOString();
      this._database
        .prepare(
          `UPDATE jobs SET ${sets.join(', ')}, updatedAt = @now
           WHERE id = @id AND owner = @owner`
        )
        .run(params);
    }
    return this.get(id, owner);
  }

  async queuePosition(id: string): Promise<number | null> {
    const row = this._database
      .prepare(
        `SELECT 1 + (SELECT COUNT(*) FROM jobs o
                      WHERE o.status = 'QUEUED'
                        AND o.accelerator = j.accelerator
                        AND (o.fairRank, o.createdAt, o.rowid)
                          < (j.fairRank, j.createdAt, j.rowid)) AS position
         FROM jobs j WHERE j.id = ? AND j.status = 'QUEUED'`
      )
      .get(id) as { position: number } | undefined;
    return row?.position ?? null;
  }

  async countByStatus(): Promise<IJobs.IStatusCount[]> {
    const rows = this._database
      .prepare(
        `SELECT status, accelerator, failure ->> '$.reason' AS reason,
                COUNT(*) AS count
         FROM jobs GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
      )
      .all() as (IJobs.IStatusCount & { reason: string | null })[];
    return rows.map(({ reason, ...row }) =>
      reason === null ? row : { ...row, reason }
    );
  }

  async rank(query: IJobs.IRankQuery): Promise<IJobs.IRanking> {
    checkRankQuery(query);
    const where = [`status = 'COMPLETED'`, 'value IS NOT NULL'];
    const params: Record<string, unknown> = {
      owner: query.owner,
      projectId: query.projectId,
      seriesPath: `$."${query.metric}".last`,
      valuePath: `$.values."${query.metric}"`,
      limit: rankLimit(query.limit)
    };
    if (query.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(tags) WHERE value = @tag)');
      params.tag = query.tag;
    }
    argsWhere(query.args, where, params);
    if (query.createdFrom !== undefined) {
      where.push('createdAt >= @createdFrom');
      params.createdFrom = query.createdFrom;
    }
    if (query.createdBefore !== undefined) {
      where.push('createdAt < @createdBefore');
      params.createdBefore = query.createdBefore;
    }
    if (query.accelerator !== undefined) {
      where.push('accelerator = @accelerator');
      params.accelerator = query.accelerator;
    }
    const order = query.direction === 'min' ? 'ASC' : 'DESC';
    // The filters apply to the computed value, hence the subquery; the
    // window count says how many matched beyond the limit.
    const rows = this._database
      .prepare(
        `SELECT *, COUNT(*) OVER () AS total FROM (
           SELECT ${JOB_SUMMARY_COLUMNS},
             COALESCE(json_extract(series, @seriesPath),
               json_extract(metrics, @valuePath)) AS value
           FROM jobs WHERE projectId = @projectId AND owner = @owner
         ) WHERE ${where.join(' AND ')}
         ORDER BY value ${order}, createdAt, id LIMIT @limit`
      )
      .all(params) as (IJobRow & { value: number; total: number })[];
    return {
      total: rows[0]?.total ?? 0,
      rows: rows.map(row => ({
        value: row.value,
        job: rowToJob(row) as JobSummary
      }))
    };
  }

  async countUnfinished(accelerator: Job['accelerator']): Promise<number> {
    const row = this._database
      .prepare(
        `SELECT COUNT(*) AS n FROM jobs
         WHERE status IN ('QUEUED', 'COMPILING', 'RUNNING') AND accelerator = ?`
      )
      .get(accelerator) as { n: number };
    return row.n;
  }

  async setRegression(id: string, verdict: RegressionVerdict): Promise<void> {
    this._database
      .prepare('UPDATE jobs SET regression = ? WHERE id = ?')
      .run(JSON.stringify(verdict), id);
  }

  private _database: SqliteDatabase;
}

/** Adds the conditions of an argument filter (every one equal). */
function argsWhere(
  args: Record<string, IJobs.ArgValue> | undefined,
  where: string[],
  params: Record<string, unknown>
): void {
  Object.entries(args ?? {}).forEach(([name, value], i) => {
    params[`argPath${i}`] = `$.${name}`;
    if (value === null) {
      where.push(`json_type(args, @argPath${i}) = 'null'`);
    } else {
      // json_extract answers JSON true/false as 1/0.
      where.push(
        `json_extract(args, @argPath${i}) = @arg${i} AND json_type(args, @argPath${i}) IN (${
          typeof value === 'string'
            ? "'text'"
            : typeof value === 'boolean'
              ? "'true', 'false'"
              : "'integer', 'real'"
        })`
      );
      params[`arg${i}`] = typeof value === 'boolean' ? Number(value) : value;
    }
  });
}
