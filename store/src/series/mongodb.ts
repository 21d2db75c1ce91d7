import { Binary } from 'mongodb';
import type { SeriesSummary } from '@jaxlab/schemas';
import { jobNotFound } from '../events/job-errors.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { ISeriesSummaryRow } from './chunked-series.js';
import { ChunkedSeries, planAppend } from './chunked-series.js';
import type { ISeries } from './contract.js';
import type {
  IPointColumns,
  ISeriesChunk,
  IStoredChunk
} from './series-chunk.js';
import { checkBatch, decodeChunk, openChunkAfter } from './series-chunk.js';

/** A (job, name) summary document of `job_series`. */
interface ISeriesDoc extends ISeriesSummaryRow {
  _id: string;
  jobId: string;
}

/** A chunk document of `job_series_chunks`. */
interface IChunkDoc extends Omit<IStoredChunk, 'points'> {
  _id: string;
  jobId: string;
  name: string;
  points: Binary;
}

/**
 * {@link ISeries} on MongoDB: `job_series` holds a summary document per
 * (job, name), `job_series_chunks` the points, up to 4096 to a document as
 * one binary of float64 columns. Metric names are field values, never
 * keys, so `.` and `$` in them are harmless. A job has one writer (its
 * gateway), so an append needs no transaction.
 */
export class MongoSeries extends ChunkedSeries implements ISeries {
  constructor(database: MongoDatabase) {
    super();
    this._database = database;
  }

  async append(jobId: string, batch: ISeries.IBatch): Promise<SeriesSummary> {
    checkBatch(batch);
    const exists = await this._database.jobs.findOne(
      { _id: jobId },
      { projection: { _id: 1 } }
    );
    if (!exists) throw jobNotFound(jobId);
    const stored = await this._summaries(jobId);
    const openChunks = new Map<string, ISeriesChunk | null>();
    for (const { name } of stored) {
      if (Object.hasOwn(batch, name) && batch[name].steps.length > 0) {
        openChunks.set(name, await this._lastOpenChunk(jobId, name));
      }
    }
    const writes = planAppend(stored, batch, name => openChunks.get(name)!);
    for (const { name, chunks, summary, ordinal } of writes) {
      await this._chunks.bulkWrite(
        chunks.map(chunk => {
          const doc: IChunkDoc = {
            _id: `${jobId}\u0000${name}\u0000${chunk.chunk}`,
            jobId,
            name,
            ...chunk,
            points: new Binary(chunk.points)
          };
          return {
            replaceOne: {
              filter: { _id: doc._id },
              replacement: doc,
              upsert: true
            }
          };
        })
      );
      // The summary last: a reader never counts points it cannot find.
      await this._series.updateOne(
        { _id: `${jobId}\u0000${name}` },
        {
          $set: { ...summary },
          $setOnInsert: { jobId, name, ordinal }
        },
        { upsert: true }
      );
    }
    return this.summary(jobId);
  }

  async *points(jobId: string, name: string): AsyncIterable<IPointColumns> {
    const cursor = this._chunks.find({ jobId, name }).sort({ chunk: 1 });
    for await (const chunk of cursor) yield decodeChunk(chunk.points.buffer);
  }

  protected _summaries(jobId: string): Promise<ISeriesDoc[]> {
    return this._series.find({ jobId }).sort({ ordinal: 1 }).toArray();
  }

  protected async _chunksOverlapping(
    jobId: string,
    name: string,
    fromStep: number,
    toStep: number
  ): Promise<IPointColumns[]> {
    const chunks = await this._chunks
      .find({
        jobId,
        name,
        maxStep: { $gte: fromStep },
        minStep: { $lte: toStep }
      })
      .sort({ chunk: 1 })
      .toArray();
    return chunks.map(chunk => decodeChunk(chunk.points.buffer));
  }

  private async _lastOpenChunk(jobId: string, name: string) {
    const doc = await this._chunks.findOne(
      { jobId, name },
      { sort: { chunk: -1 } }
    );
    return openChunkAfter(doc && { ...doc, points: doc.points.buffer });
  }

  private get _series() {
    return this._database.collection<ISeriesDoc>('job_series');
  }

  private get _chunks() {
    return this._database.collection<IChunkDoc>('job_series_chunks');
  }

  private _database: MongoDatabase;
}
