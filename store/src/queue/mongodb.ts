import type { Job } from '@jaxlab/schemas';
import { hostLostFailure } from '../jobs/job-failures.js';
import { insertEventDocs } from '../mongodb/event-docs.js';
import { NOT_FINAL, docToJob } from '../mongodb/job-docs.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IJobQueue } from './contract.js';

/**
 * {@link IJobQueue} on MongoDB: a claim is one `findOneAndUpdate` of the
 * oldest matching QUEUED job (sorted by `createdAt`, then the time-ordered
 * id), so two claimers never take the same job.
 */
export class MongoJobQueue implements IJobQueue {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async claimNext(options: IJobQueue.IClaimOptions): Promise<Job | null> {
    if (options.accelerators.length === 0) return null;
    const now = options.now ?? new Date();
    const time = now.toISOString();
    const doc = await this._database.jobs.findOneAndUpdate(
      { status: 'QUEUED', accelerator: { $in: options.accelerators } },
      {
        $set: {
          status: 'COMPILING',
          host: options.hostId,
          leaseHolder: options.hostId,
          leaseExpiresAt: now.getTime() + options.leaseMs,
          updatedAt: time
        },
        $inc: { lastSeq: 1 }
      },
      { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' }
    );
    if (!doc) return null;
    await insertEventDocs(this._database, [
      {
        jobId: doc._id,
        seq: doc.lastSeq,
        time,
        type: 'job:status',
        status: 'COMPILING'
      }
    ]);
    return docToJob(doc);
  }

  async renewLease(
    jobId: string,
    hostId: string,
    leaseMs: number
  ): Promise<IJobQueue.ILeaseState> {
    const jobs = this._database.jobs;
    const doc = await jobs.findOneAndUpdate(
      { _id: jobId, leaseHolder: hostId, status: NOT_FINAL },
      { $set: { leaseExpiresAt: Date.now() + leaseMs } },
      { projection: { cancelRequested: 1 }, returnDocument: 'after' }
    );
    if (doc) return { held: true, cancelRequested: doc.cancelRequested };
    const job = await jobs.findOne(
      { _id: jobId },
      { projection: { cancelRequested: 1 } }
    );
    return { held: false, cancelRequested: job?.cancelRequested ?? false };
  }

  async expireLapsedLeases(now: Date = new Date()): Promise<Job[]> {
    const jobs = this._database.jobs;
    const lapsed = { $lt: now.getTime() };
    const candidates = await jobs
      .find(
        { leaseExpiresAt: lapsed, status: NOT_FINAL },
        { projection: { _id: 1, host: 1 } }
      )
      .toArray();
    const failed: Job[] = [];
    const time = now.toISOString();
    for (const { _id, host } of candidates) {
      const failure = hostLostFailure(host ?? undefined);
      // Guarded again: the holder may have renewed since the find.
      const doc = await jobs.findOneAndUpdate(
        { _id, leaseExpiresAt: lapsed, status: NOT_FINAL },
        {
          $set: {
            status: 'FAILED',
            failure,
            finishedAt: time,
            updatedAt: time
          },
          $inc: { lastSeq: 1 }
        },
        { returnDocument: 'after' }
      );
      if (!doc) continue;
      await insertEventDocs(this._database, [
        {
          jobId: _id,
          seq: doc.lastSeq,
          time,
          type: 'job:status',
          status: 'FAILED',
          failure
        }
      ]);
      failed.push(docToJob(doc));
    }
    return failed;
  }

  private _database: MongoDatabase;
}
