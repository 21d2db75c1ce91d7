import type { SeriesSummary } from '@jaxlab/schemas';
import { jobNotFound } from '../events/job-errors.js';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { ISeriesSummaryRow } from './chunked-series.js';
import { ChunkedSeries, planAppend } from './chunked-series.js';
import type { ISeries } from './contract.js';
import type { IPointColumns } from './series-chunk.js';
import {
  checkBatch,
  decodeChunk,
  openChunkAfter,
  toSummary
} from './series-chunk.js';

/**
 * {@link ISeries} on the embedded SQLite file: a row per (job, name) with
 * its summary, and the points in rows of up to 4096 (job, name, chunk),
 * each a BLOB of float64 columns with its step range, so a read of a step
 * range touches only the chunks that overlap it.
 */
export class SqliteSeries extends ChunkedSeries implements ISeries {
  constructor(database: SqliteDatabase) {
    super();
    this._database = database;
  }

  async append(jobId: string, batch: ISeries.IBatch): Promise<SeriesSummary> {
    checkBatch(batch);
    const database = this._database;
    return database.immediate(() => {
      if (!database.prepare('SELECT 1 FROM jobs WHERE id = ?').get(jobId)) {
        throw jobNotFound(jobId);
      }
      const writes = planAppend(this._summaries(jobId), batch, name =>
        this._lastOpenChunk(jobId, name)
      );
      for (const { name, chunks, summary, ordinal } of writes) {
        database
          .prepare(
            `INSERT INTO job_series (jobId, name, ordinal, count, lastStep, last, min, max)
             VALUES (@jobId, @name, @ordinal, @count, @lastStep, @last, @min, @max)
             ON CONFLICT (jobId, name) DO UPDATE SET count = @count,
               lastStep = @lastStep, last = @last, min = @min, max = @max`
          )
          .run({ jobId, name, ordinal, ...summary });
        for (const chunk of chunks) {
          database
            .prepare(
              `INSERT OR REPLACE INTO job_series_chunks
                 (jobId, name, chunk, minStep, maxStep, count, points)
               VALUES (@jobId, @name, @chunk, @minStep, @maxStep, @count, @points)`
            )
            .run({ jobId, name, ...chunk });
        }
      }
      return toSummary(this._summaries(jobId));
    });
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

  protected _summaries(jobId: string): ISeriesSummaryRow[] {
    return this._database
      .prepare(
        `SELECT name, ordinal, count, lastStep, last, min, max FROM job_series
         WHERE jobId = ? ORDER BY ordinal`
      )
      .all(jobId) as ISeriesSummaryRow[];
  }

  protected _chunksOverlapping(
    jobId: string,
    name: string,
    fromStep: number,
    toStep: number
  ): IPointColumns[] {
    const rows = this._database
      .prepare(
        `SELECT points FROM job_series_chunks
         WHERE jobId = ? AND name = ? AND maxStep >= ? AND minStep <= ?
         ORDER BY chunk`
      )
      .all(jobId, name, fromStep, toStep) as Array<{ points: Buffer }>;
    return rows.map(row => decodeChunk(row.points));
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
