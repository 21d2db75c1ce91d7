import type { Filter } from 'mongodb';
import type { JobEvent, LogChunk, RunManifest } from '@jaxlab/schemas';
import {
  docToEvent,
  eventToDoc,
  insertEventDocs
} from '../mongodb/event-docs.js';
import type { IJobDoc } from '../mongodb/job-docs.js';
import {
  NOT_FINAL,
  eventStateOfDoc,
  isNumber,
  namedValues
} from '../mongodb/job-docs.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IJobEvents, NewJobEvent } from './contract.js';
import type { IJobEventState } from './fold-job-events.js';
import { foldJobEvents } from './fold-job-events.js';
import { checkAppendAllowed, jobNotFound } from './job-errors.js';
import type { IJobProgress } from './watch-job-events.js';
import { WatchableJobEvents } from './watch-job-events.js';
import { OwnerLedger } from '../queue/owner-ledger.js';

/**
 * {@link IJobEvents} on MongoDB: one document per event in `job_events`,
 * unique on (jobId, seq).
 *
 * Numbering: an append reads the job, folds the events, and writes the job
 * back guarded by its previous `lastSeq` (plus "not final" and "this host
 * holds the lease"), then inserts the numbered events; the lease holder
 * skips the read when it remembers its own last write (`heldJobs`). The
 * guard makes numbering safe with several writers, though by design each
 * job has one, its lease holder; the only others (the claim, a cancel of a
 * QUEUED job, the lease sweeper, a requeue) write once each. Because numbering and insertion are
 * two writes, a reader can briefly see `lastSeq` ahead of the stored
 * events; `watch` waits for such gaps (see WatchableJobEvents).
 */
export class MongoJobEvents extends WatchableJobEvents implements IJobEvents {
  constructor(database: MongoDatabase) {
    super();
    this._database = database;
    this._ledger = new OwnerLedger(database);
  }

  async append(
    jobId: string,
    events: NewJobEvent[],
    options: { hostId?: string } = {}
  ): Promise<JobEvent[]> {
    if (events.length === 0) return [];
    const { hostId } = options;
    const { jobs, heldJobs } = this._database;
    // The lease holder's own last write, if remembered, spares the read.
    let known = hostId === undefined ? undefined : heldJobs.get(jobId, hostId);
    for (;;) {
      const job = known ?? (await this._readForAppend(jobId, hostId));
      known = undefined;
      const now = new Date();
      const folded = foldJobEvents(jobId, job.state, events, now);
      const s = folded.state;
      const guard: Filter<IJobDoc> = {
        _id: jobId,
        lastSeq: job.state.lastSeq,
        status: NOT_FINAL
      };
      if (hostId !== undefined) guard.leaseHolder = hostId;
      const result = await jobs.updateOne(guard, {
        $set: {
          status: s.status,
          lastSeq: s.lastSeq,
          logTail: s.logTail,
          startedAt: s.startedAt ?? null,
          finishedAt: s.finishedAt ?? null,
          failure: s.failure ?? null,
          metricsJson: s.metrics ? JSON.stringify(s.metrics) : null,
          metricValues: namedValues(s.metrics?.values, isNumber),
          phases: s.phases ?? null,
          progress: s.progress ?? null,
          seriesJson: s.series ? JSON.stringify(s.series) : null,
          seriesValues: Object.entries(s.series ?? {}).map(([n, m]) => ({
            n,
            v: m.last
          })),
          updatedAt: now.toISOString(),
          // An ended job holds no lease: the lease sweep's index keeps
          // only live ones.
          ...(s.finishedAt === undefined ? {} : { leaseExpiresAt: null })
        }
      });
      if (result.matchedCount === 0) {
        // Someone else wrote in between (the sweeper, a cancel): read again.
        heldJobs.forget(jobId);
        continue;
      }
      if (hostId !== undefined)
        heldJobs.set(jobId, { hostId, owner: job.owner, state: s });
      // A job that ended frees its place under its owner's cap (were this
      // write lost, the next claim that finds the ledger full prunes it),
      // at the same time as its events go in: its end is stamped already.
      await Promise.all([
        insertEventDocs(this._database, folded.events.map(eventToDoc)),
        s.finishedAt && !job.state.finishedAt
          ? this._ledger.releaseJob(job.owner, jobId)
          : undefined
      ]);
      return folded.events;
    }
  }

  async read(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<JobEvent[]> {
    if (limit <= 0) return [];
    const docs = await this._database.events
      .find({ jobId, seq: { $gt: afterSeq } }, { projection: { _id: 0 } })
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map(docToEvent);
  }

  async readLogs(
    jobId: string,
    afterSeq: number,
    limit: number
  ): Promise<LogChunk[]> {
    if (limit <= 0) return [];
    const docs = await this._database.events
      .find(
        { jobId, type: 'job:log', seq: { $gt: afterSeq } },
        { projection: { _id: 0 } }
      )
      .sort({ seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map(doc => ({
      jobId: doc.jobId,
      seq: doc.seq,
      stream: doc.stream!,
      text: doc.text!,
      time: doc.time
    }));
  }

  async setManifest(jobId: string, manifest: RunManifest): Promise<void> {
    const result = await this._database.jobs.updateOne(
      { _id: jobId },
      {
        $set: {
          manifestJson: JSON.stringify(manifest),
          updatedAt: new Date().toISOString()
        }
      }
    );
    if (result.matchedCount === 0) throw jobNotFound(jobId);
  }

  async deleteLogsFinishedBefore(
    projectId: string,
    cutoff: Date
  ): Promise<number> {
    const { jobs, events } = this._database;
    const docs = await jobs
      .find(
        {
          projectId,
          finishedAt: { $ne: null, $lt: cutoff.toISOString() },
          logsDeleted: false
        },
        { projection: { _id: 1 } }
      )
      .toArray();
    for (const { _id } of docs) {
      await events.deleteMany({ jobId: _id, type: 'job:log' });
      await jobs.updateOne(
        { _id },
        { $set: { logsDeleted: true, logTail: '' } }
      );
    }
    return docs.length;
  }

  protected get _isDisposed(): boolean {
    return this._database.isDisposed;
  }

  protected _readProgress(jobId: string): Promise<IJobProgress | null> {
    return this._database.jobs.findOne(
      { _id: jobId },
      { projection: { status: 1, lastSeq: 1 } }
    );
  }

  protected _waitForAppend(
    jobId: string,
    seenSeq: number,
    signal: AbortSignal | undefined
  ): Promise<void> {
    return this._database.appends.wait(jobId, seenSeq, signal);
  }

  /**
   * The job as an append needs it.
   *
   * @throws JaxLabError as {@link checkAppendAllowed}, `JOB_NOT_FOUND`.
   */
  private async _readForAppend(
    jobId: string,
    hostId: string | undefined
  ): Promise<{ owner: string; state: IJobEventState }> {
    const job = await this._database.jobs.findOne(
      { _id: jobId },
      { projection: { code: 0, files: 0, requirements: 0 } }
    );
    if (!job) throw jobNotFound(jobId);
    checkAppendAllowed(jobId, job, hostId);
    return { owner: job.owner, state: eventStateOfDoc(job) };
  }

  private _database: MongoDatabase;
  private _ledger: OwnerLedger;
}
