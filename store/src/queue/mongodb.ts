import type { Filter } from 'mongodb';
import type { Job } from '@jaxlab/schemas';
import { hostLostFailure } from '../jobs/job-failures.js';
import { insertEventDocs } from '../mongodb/event-docs.js';
import type { IJobDoc } from '../mongodb/job-docs.js';
import { NOT_FINAL, docToJob, eventStateOfDoc } from '../mongodb/job-docs.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IJobQueue } from './contract.js';
import { OwnerLedger } from './owner-ledger.js';

/** Claim order: fair rank (round-robin between users), then age. */
const FAIR_ORDER = { fairRank: 1, createdAt: 1, _id: 1 } as const;

/** Owners at their cap a capped claim passes over before giving up. */
const MAX_CAPPED_ATTEMPTS = 50;

/**
 * {@link IJobQueue} on MongoDB: a claim is one `findOneAndUpdate` of the
 * first matching QUEUED job in fair order (fair rank, `createdAt`, then the
 * time-ordered id), so two claimers never take the same job; with a
 * per-owner cap a place in the owner's ledger ({@link OwnerLedger}) is
 * taken first.
 */
export class MongoJobQueue implements IJobQueue {
  constructor(database: MongoDatabase) {
    this._database = database;
    this._ledger = new OwnerLedger(database);
  }

  async claimNext(options: IJobQueue.IClaimOptions): Promise<Job | null> {
    if (options.capacity.length === 0) return null;
    const now = options.now ?? new Date();
    const cap = options.maxJobsPerOwner;
    const fitting: Filter<IJobDoc> = {
      status: 'QUEUED',
      $or: options.capacity.flatMap(fits)
    };
    if (options.queuedBefore) {
      fitting.createdAt = { $lt: options.queuedBefore.toISOString() };
    }
    if (cap === undefined) return this._take(fitting, options);
    // With a cap the claim has two steps: a place in the owner's ledger
    // (one guarded update, so racing claimers cannot overfill it), then
    // the job itself. A job lost to another claimer gives its place back.
    const passedOver: string[] = [];
    for (let attempt = 0; attempt < MAX_CAPPED_ATTEMPTS; attempt++) {
      const candidate = await this._database.jobs.findOne(
        { ...fitting, owner: { $nin: passedOver } },
        { sort: FAIR_ORDER, projection: { _id: 1, owner: 1 } }
      );
      if (!candidate) return null;
      const { _id, owner } = candidate;
      const place = await this._ledger.reserve(owner, _id, cap, now);
      if (place === null) {
        passedOver.push(owner);
        continue;
      }
      const job = await this._take({ ...fitting, _id }, options);
      if (job) return job;
      await this._ledger.release(owner, place);
    }
    return null;
  }

  /**
   * Takes the first job matching `filter` in fair order, with its event,
   * stamped now: after the owner's place was found free, so a job's claim
   * never appears to start before the end that freed its place.
   */
  private async _take(
    filter: Filter<IJobDoc>,
    options: IJobQueue.IClaimOptions
  ): Promise<Job | null> {
    const now = options.now ?? new Date();
    const time = now.toISOString();
    const doc = await this._database.jobs.findOneAndUpdate(
      filter,
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
      { sort: FAIR_ORDER, returnDocument: 'after' }
    );
    if (!doc) return null;
    // The runner's first append then needs no read.
    this._database.heldJobs.set(doc._id, {
      hostId: options.hostId,
      owner: doc.owner,
      state: eventStateOfDoc(doc)
    });
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

  async requeue(jobId: string, hostId: string): Promise<boolean> {
    const time = new Date().toISOString();
    const doc = await this._database.jobs.findOneAndUpdate(
      { _id: jobId, leaseHolder: hostId, status: NOT_FINAL },
      {
        $set: {
          status: 'QUEUED',
          host: null,
          leaseHolder: null,
          leaseExpiresAt: null,
          updatedAt: time
        },
        $inc: { lastSeq: 1, attempt: 1 }
      },
      { returnDocument: 'after' }
    );
    this._database.heldJobs.forget(jobId);
    if (!doc) return false;
    await insertEventDocs(this._database, [
      { jobId, seq: doc.lastSeq, time, type: 'job:status', status: 'QUEUED' }
    ]);
    // Its owner's place is free until the job is claimed again.
    await this._ledger.releaseJob(doc.owner, jobId);
    return true;
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
            updatedAt: time,
            leaseExpiresAt: null
          },
          $inc: { lastSeq: 1 }
        },
        { returnDocument: 'after' }
      );
      if (!doc) continue;
      this._database.heldJobs.forget(_id);
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
  private _ledger: OwnerLedger;
}

/** The jobs one capacity entry takes (jobs from before slots count 1 device). */
function fits(capacity: IJobQueue.ICapacity): Filter<IJobDoc>[] {
  const min = capacity.minDevices ?? 1;
  const filters: Filter<IJobDoc>[] = [
    {
      accelerator: capacity.accelerator,
      deviceCount: { $gte: min, $lte: capacity.maxDevices }
    }
  ];
  if (min <= 1 && capacity.maxDevices >= 1) {
    filters.push({
      accelerator: capacity.accelerator,
      deviceCount: { $exists: false }
    });
  }
  return filters;
}
