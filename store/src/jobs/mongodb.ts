import type { Filter } from 'mongodb';
import type { Job, JobUpdate, RegressionVerdict } from '@jaxlab/schemas';
import { insertEventDocs } from '../mongodb/event-docs.js';
import type { IJobDoc } from '../mongodb/job-docs.js';
import {
  NOT_FINAL,
  docToJob,
  isScalarArg,
  namedValues
} from '../mongodb/job-docs.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
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

/** {@link IJobs} on MongoDB: one document per job in `jobs`. */
export class MongoJobs implements IJobs {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async create(owner: string, input: IJobs.ICreate): Promise<Job> {
    const { id, args, ...fields } = newJobFields(input);
    const doc: IJobDoc = {
      _id: id,
      owner,
      status: 'QUEUED',
      ...fields,
      argsJson: JSON.stringify(args),
      argValues: namedValues(args, isScalarArg),
      fairRank: nextFairRank(await this._fairRanks(owner)),
      attempt: 1,
      startedAt: null,
      finishedAt: null,
      host: null,
      leaseHolder: null,
      leaseExpiresAt: null,
      lastSeq: 0,
      logTail: '',
      logsDeleted: false,
      cancelRequested: false,
      failure: null,
      metricsJson: null,
      manifestJson: null
    };
    await this._database.jobs.insertOne(doc);
    return docToJob(doc);
  }

  async get(id: string, owner?: string): Promise<Job | null> {
    const filter: Filter<IJobDoc> = { _id: id };
    if (owner !== undefined) filter.owner = owner;
    const doc = await this._database.jobs.findOne(filter);
    return doc ? docToJob(doc) : null;
  }

  async list(query: IJobs.IQuery): Promise<IPage<JobSummary>> {
    checkJobFilters(query);
    const limit = jobPageSize(query.limit);
    const filter: Filter<IJobDoc> = { owner: query.owner };
    const and: Filter<IJobDoc>[] = [];
    if (query.status?.length) filter.status = { $in: query.status };
    if (query.projectId !== undefined) filter.projectId = query.projectId;
    if (query.tag !== undefined) filter.tags = query.tag;
    if (query.nameContains) {
      filter.name = {
        $regex: query.nameContains.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        $options: 'i'
      };
    }
    for (const [n, v] of Object.entries(query.args ?? {})) {
      and.push({ argValues: { $elemMatch: { n, v } } });
    }
    if (query.metric) {
      const { name: n, op, value } = query.metric;
      const compare = { [METRIC_OPERATORS[op].mongo]: value };
      // A step series' last value, else the run's value of that name.
      and.push({
        $or: [
          { seriesValues: { $elemMatch: { n, v: compare } } },
          {
            seriesValues: { $not: { $elemMatch: { n } } },
            metricValues: { $elemMatch: { n, v: compare } }
          }
        ]
      });
    }
    if (query.cursor) {
      const cursor = decodeJobCursor(query.cursor);
      and.push({
        $or: [
          { createdAt: { $lt: cursor.createdAt } },
          { createdAt: cursor.createdAt, _id: { $lt: cursor.id } }
        ]
      });
    }
    if (and.length) filter.$and = and;
    // One more than a page tells whether another page follows.
    const docs = await this._database.jobs
      .find(filter, { projection: { code: 0, files: 0, requirements: 0 } })
      .sort({ createdAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    return jobPage(docs, limit, doc => docToJob(doc) as JobSummary);
  }

  async requestCancel(id: string, owner: string): Promise<Job | null> {
    const time = new Date().toISOString();
    const failure = cancelledWhileQueuedFailure();
    // QUEUED -> CANCELLED in one guarded update, so a claim cannot race it.
    const cancelled = await this._database.jobs.findOneAndUpdate(
      { _id: id, owner, status: 'QUEUED' },
      {
        $set: {
          status: 'CANCELLED',
          finishedAt: time,
          updatedAt: time,
          failure,
          cancelRequested: true
        },
        $inc: { lastSeq: 1 }
      },
      { returnDocument: 'after' }
    );
    if (cancelled) {
      await insertEventDocs(this._database, [
        {
          jobId: id,
          seq: cancelled.lastSeq,
          time,
          type: 'job:status',
          status: 'CANCELLED',
          failure
        }
      ]);
      return docToJob(cancelled);
    }
    await this._database.jobs.updateOne(
      { _id: id, owner, status: NOT_FINAL },
      { $set: { cancelRequested: true, updatedAt: time } }
    );
    return this.get(id, owner);
  }

  async update(
    id: string,
    owner: string,
    patch: JobUpdate
  ): Promise<Job | null> {
    const set: Partial<IJobDoc> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.tags !== undefined) set.tags = patch.tags;
    if (patch.notes !== undefined) set.notes = patch.notes;
    if (Object.keys(set).length) {
      set.updatedAt = new Date().toISOString();
      await this._database.jobs.updateOne({ _id: id, owner }, { $set: set });
    }
    return this.get(id, owner);
  }

  async queuePosition(id: string): Promise<number | null> {
    const jobs = this._database.jobs;
    const job = await jobs.findOne(
      { _id: id, status: 'QUEUED' },
      { projection: { accelerator: 1, fairRank: 1, createdAt: 1 } }
    );
    if (!job) return null;
    const rank = job.fairRank ?? 0;
    const ahead = await jobs.countDocuments({
      status: 'QUEUED',
      accelerator: job.accelerator,
      $or: [
        { fairRank: { $lt: rank } },
        ...(rank > 0 ? [{ fairRank: { $exists: false } }] : []),
        { fairRank: rank, createdAt: { $lt: job.createdAt } },
        { fairRank: rank, createdAt: job.createdAt, _id: { $lt: id } }
      ]
    });
    return ahead + 1;
  }

  async countByStatus(): Promise<IJobs.IStatusCount[]> {
    const groups = await this._database.jobs
      .aggregate<{
        _id: {
          status: IJobs.IStatusCount['status'];
          accelerator: IJobs.IStatusCount['accelerator'];
          reason?: string | null;
        };
        count: number;
      }>([
        {
          $group: {
            _id: {
              status: '$status',
              accelerator: '$accelerator',
              reason: '$failure.reason'
            },
            count: { $sum: 1 }
          }
        }
      ])
      .toArray();
    return groups
      .map(({ _id, count }) => ({
        status: _id.status,
        accelerator: _id.accelerator,
        ...(_id.reason ? { reason: _id.reason } : {}),
        count
      }))
      .sort((a, b) =>
        `${a.status} ${a.accelerator} ${a.reason ?? ''}`.localeCompare(
          `${b.status} ${b.accelerator} ${b.reason ?? ''}`
        )
      );
  }

  /** See {@link nextFairRank}. */
  private async _fairRanks(owner: string): Promise<IFairRanks> {
    const jobs = this._database.jobs;
    const rankOf = async (filter: Filter<IJobDoc>, order: 1 | -1) =>
      (
        await jobs.findOne(filter, {
          sort: { fairRank: order },
          projection: { fairRank: 1 }
        })
      )?.fairRank ?? null;
    const [queueFront, ownerLast] = await Promise.all([
      rankOf({ status: 'QUEUED', fairRank: { $exists: true } }, 1),
      rankOf({ status: 'QUEUED', owner, fairRank: { $exists: true } }, -1)
    ]);
    return { queueFront, ownerLast };
  }

  async rank(query: IJobs.IRankQuery): Promise<IJobs.IRanking> {
    checkRankQuery(query);
    const n = query.metric;
    const filter: Filter<IJobDoc> = {
      owner: query.owner,
      projectId: query.projectId,
      status: 'COMPLETED',
      $or: [
        { seriesValues: { $elemMatch: { n } } },
        { metricValues: { $elemMatch: { n } } }
      ]
    };
    if (query.tag !== undefined) filter.tags = query.tag;
    if (query.accelerator !== undefined) filter.accelerator = query.accelerator;
    if (query.createdFrom !== undefined || query.createdBefore !== undefined) {
      filter.createdAt = {
        ...(query.createdFrom !== undefined ? { $gte: query.createdFrom } : {}),
        ...(query.createdBefore !== undefined
          ? { $lt: query.createdBefore }
          : {})
      };
    }
    const args = Object.entries(query.args ?? {});
    if (args.length) {
      filter.$and = args.map(([n, v]) => ({
        argValues: { $elemMatch: { n, v } }
      }));
    }
    // Only the fields ranking needs come back; the order is computed here,
    // as the value is a named entry of two arrays (no index could serve it).
    const docs = await this._database.jobs
      .find(filter, {
        projection: { _id: 1, createdAt: 1, seriesValues: 1, metricValues: 1 }
      })
      .toArray();
    const sign = query.direction === 'min' ? 1 : -1;
    const ranked = docs
      .map(doc => ({
        id: doc._id,
        createdAt: doc.createdAt,
        value: (doc.seriesValues?.find(e => e.n === n) ??
          doc.metricValues?.find(e => e.n === n))!.v
      }))
      .sort(
        (a, b) =>
          sign * (a.value - b.value) ||
          a.createdAt.localeCompare(b.createdAt) ||
          a.id.localeCompare(b.id)
      )
      .slice(0, rankLimit(query.limit));
    const full = new Map(
      (
        await this._database.jobs
          .find(
            { _id: { $in: ranked.map(r => r.id) } },
            { projection: { code: 0, files: 0, requirements: 0 } }
          )
          .toArray()
      ).map(doc => [doc._id, docToJob(doc) as JobSummary])
    );
    return {
      total: docs.length,
      rows: ranked.map(r => ({ value: r.value, job: full.get(r.id)! }))
    };
  }

  async countUnfinished(accelerator: Job['accelerator']): Promise<number> {
    return this._database.jobs.countDocuments({
      status: NOT_FINAL,
      accelerator
    });
  }

  async setRegression(id: string, verdict: RegressionVerdict): Promise<void> {
    await this._database.jobs.updateOne(
      { _id: id },
      { $set: { regressionJson: JSON.stringify(verdict) } }
    );
  }

  private _database: MongoDatabase;
}
