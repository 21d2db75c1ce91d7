import { Binary } from 'mongodb';
import type {
  BucketedSeries,
  MetricSummary,
  SeriesSummary
} from '@jaxlab/schemas';
import { jobNotFound } from '../events/job-errors.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { ISeries } from './contract.js';
import type { IPointColumns, IStoredChunk } from './series-chunk.js';
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

/** A (job, name) summary document of `job_series`. */
interface ISeriesDoc extends MetricSummary {
  _id: string;
  jobId: string;
  name: string;
  ordinal: number;
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
export class MongoSeries implements ISeries {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async append(jobId: string, batch: ISeries.IBatch): Promise<SeriesSummary> {
    checkBatch(batch);
    const exists = await this._database.jobs.findOne(
      { _id: jobId },
      { projection: { _id: 1 } }
    );
    if (!exists) throw jobNotFound(jobId);
    const docs = await this._summaryDocs(jobId);
    let ordinal = docs.length;
    for (const [name, points] of Object.entries(batch)) {
      if (points.steps.length === 0) continue;
      const known = docs.find(d => d.name === name) ?? null;
      const last = known ? await this._lastOpenChunk(jobId, name) : null;
      const chunks = appendToChunks(last, points);
      await this._chunks.bulkWrite(
        chunks.map(chunk => {
          const stored = toStoredChunk(chunk);
          const doc: IChunkDoc = {
            _id: `${jobId}\u0000${name}\u0000${chunk.index}`,
            jobId,
            name,
            ...stored,
            points: new Binary(stored.points)
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
      const summary = summarize(known, points);
      await this._series.updateOne(
        { _id: `${jobId}\u0000${name}` },
        {
          $set: { ...summary },
          $setOnInsert: { jobId, name, ordinal: known?.ordinal ?? ordinal++ }
        },
        { upsert: true }
      );
    }
    return toSummary(await this._summaryDocs(jobId));
  }

  async read(
    jobId: string,
    options: ISeries.IReadOptions
  ): Promise<BucketedSeries[]> {
    const names = (await this._summaryDocs(jobId)).map(doc => doc.name);
    return readBucketed(names, options, async (name, from, to) =>
      (
        await this._chunks
          .find({ jobId, name, maxStep: { $gte: from }, minStep: { $lte: to } })
          .sort({ chunk: 1 })
          .toArray()
      ).map(chunk => decodeChunk(chunk.points.buffer))
    );
  }

  async summary(jobId: string): Promise<SeriesSummary> {
    return toSummary(await this._summaryDocs(jobId));
  }

  async *points(jobId: string, name: string): AsyncIterable<IPointColumns> {
    const cursor = this._chunks.find({ jobId, name }).sort({ chunk: 1 });
    for await (const chunk of cursor) yield decodeChunk(chunk.points.buffer);
  }

  private _summaryDocs(jobId: string): Promise<ISeriesDoc[]> {
    return this._series.find({ jobId }).sort({ ordinal: 1 }).toArray();
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
