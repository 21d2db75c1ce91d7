import type {
  BucketedSeries,
  MetricSummary,
  SeriesSummary
} from '@jaxlab/schemas';
import { jobNotFound } from '../events/job-errors.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { ISeries } from './contract.js';
import type { IPointColumns } from './series-chunk.js';
import {
  appendToChunks,
  checkBatch,
  decodeChunk,
  openChunkAfter,
  readBucketed,
  summarize,
  toStoredChunk,
  toSummary
} from './series-chunk.js';

interface ISummaryRow extends MetricSummary {
  name: string;
  ordinal: number;
}

/**
 * {@link ISeries} on the embedded SQLite file: a row per (job, name) with
 * its summary, and the points in rows of up to 4096 (job, name, chunk),
 * each a BLOB of float64 columns with its step range, so a read of a step
 * range touches only the chunks that overlap it.
 */
export class SqliteSeries implements ISeries {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async append(jobId: string, batch: ISeries.IBatch): Promise<SeriesSummary> {
    checkBatch(batch);
    const database = this._database;
    return database.immediate(() => {
      if (!database.prepare('SELECT 1 FROM jobs WHERE id = ?').get(jobId)) {
        throw jobNotFound(jobId);
      }
      const rows = this._summaryRows(jobId);
      let ordinal = rows.length;
      for (const [name, points] of Object.entries(batch)) {
        if (points.steps.length === 0) continue;
        const known = rows.find(r => r.name === name) ?? null;
        const summary = summarize(known, points);
        database
          .prepare(
            `INSERT INTO job_series (jobId, name, ordinal, count, lastStep, last, min, max)
             VALUES (@jobId, @name, @ordinal, @count, @lastStep, @last, @min, @max)
             ON CONFLICT (jobId, name) DO UPDATE SET count = @count,
               lastStep = @lastStep, last = @last, min = @min, max = @max`
          )
          .run({
            jobId,
            name,
            ordinal: known?.ordinal ?? ordinal++,
            ...summary
          });
        const last = known ? this._lastOpenChunk(jobId, name) : null;
        for (const chunk of appendToChunks(last, points)) {
          database
            .prepare(
              `INSERT OR REPLACE INTO job_series_chunks
                 (jobId, name, chunk, minStep, maxStep, count, points)
               VALUES (@jobId, @name, @chunk, @minStep, @maxStep, @count, @points)`
            )
            .run({ jobId, name, ...toStoredChunk(chunk) });
        }
      }
      return toSummary(this._summaryRows(jobId));
    });
  }

  async read(
    jobId: string,
    options: ISeries.IReadOptions
  ): Promise<BucketedSeries[]> {
    const names = this._summaryRows(jobId).map(row => row.name);
    return readBucketed(names, options, async (name, from, to) =>
      (
        this._database
          .prepare(
            `SELECT points FROM job_series_chunks
             WHERE jobId = ? AND name = ? AND maxStep >= ? AND minStep <= ?
             ORDER BY chunk`
          )
          .all(jobId, name, from, to) as Array<{ points: Buffer }>
      ).map(row => decodeChunk(row.points))
    );
  }

  async summary(jobId: string): Promise<SeriesSummary> {
    return toSummary(this._summaryRows(jobId));
  }

  async *points(jobId: string, name: string): AsyncIterable<IPointColumns> {
    const select = this._database.prepare(
      `SELECT chunk, points FROM job_series_chunks
       WHERE jobId = ? AND name = ? AND chunk > ? ORDER BY chunk LIMIT 1`
    );
    for (let after = -1; ;) {
      const row = select.get(jobId, name, after) as
        { chunk: number; points: Buffer } | undefined;
      if (!row) return;
      after = row.chunk;
      yield decodeChunk(row.points);
    }
  }

  private _summaryRows(jobId: string): ISummaryRow[] {
    return this._database
      .prepare(
        `SELECT name, ordinal, count, lastStep, last, min, max FROM job_series
         WHERE jobId = ? ORDER BY ordinal`
      )
      .all(jobId) as ISummaryRow[];
  }

  private _lastOpenChunk(jobId: string, name: string) {
    const row = this._database
      .prepare(
        `SELECT chunk, count, points FROM job_series_chunks
         WHERE jobId = ? AND name = ? ORDER BY chunk DESC LIMIT 1`
      )
      .get(jobId, name) as
      { chunk: number; count: number; points: Buffer } | undefined;
    return openChunkAfter(row ?? null);
  }

  private _database: SqliteDatabase;
}
