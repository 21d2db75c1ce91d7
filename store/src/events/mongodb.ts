import { setTimeout as sleep } from 'node:timers/promises';
import type { Filter } from 'mongodb';
import type { JobEvent, LogChunk, Metrics, RunManifest } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import {
  docToEvent,
  eventToDoc,
  insertEventDocs
} from '../mongodb/event-docs.js';
import type { IJobDoc } from '../mongodb/job-docs.js';
import { NOT_FINAL, parseJsonField } from '../mongodb/job-docs.js';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IJobEvents, NewJobEvent } from './contract.js';
import { foldJobEvents } from './fold-job-events.js';
import { checkAppendAllowed, jobNotFound } from './job-errors.js';

/** Events read per query by `watch`. */
const WATCH_PAGE_SIZE = 500;

/**
 * How long a watcher waits for a missing seq (numbered but not yet inserted)
 * before skipping it: the writer died between numbering and inserting.
 */
const GAP_SKIP_MS = 5000;

/**
 * {@link IJobEvents} on MongoDB: one document per event in `job_events`,
 * unique on (jobId, seq).
 *
 * Numbering: an append reads the job, folds the events, and writes the job
 * back guarded by its previous `lastSeq` (plus "not final" and "this host
 * holds the lease"), then inserts the numbered events. The guard makes
 * numbering safe with several writers, though by design each job has one,
 * its lease holder; the only others (the claim, a cancel of a QUEUED job,
 * the lease sweeper) write once each. Because numbering and insertion are
 * two writes, a reader can briefly see `lastSeq` ahead of the stored
 * events; `watch` waits for such gaps.
 */
export class MongoJobEvents implements IJobEvents {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async append(
    jobId: string,
    events: NewJobEvent[],
    options: { hostId?: string } = {}
  ): Promise<JobEvent[]> {
    if (events.length === 0) return [];
    const jobs = this._database.jobs;
    for (;;) {
      const job = await jobs.findOne(
        { _id: jobId },
        { projection: { code: 0, requirements: 0 } }
      );
      if (!job) throw jobNotFound(jobId);
      checkAppendAllowed(jobId, job, options.hostId);
      const now = new Date();
      const folded = foldJobEvents(
        jobId,
        {
          status: job.status,
          lastSeq: job.lastSeq,
          logTail: job.logTail,
          startedAt: job.startedAt ?? undefined,
          finishedAt: job.finishedAt ?? undefined,
          failure: job.failure ?? undefined,
          metrics: parseJsonField<Metrics>(job.metricsJson)
        },
        events,
        now
      );
      const s = folded.state;
      const guard: Filter<IJobDoc> = {
        _id: jobId,
        lastSeq: job.lastSeq,
        status: NOT_FINAL
      };
      if (options.hostId !== undefined) guard.leaseHolder = options.hostId;
      const result = await jobs.updateOne(guard, {
        $set: {
          status: s.status,
          lastSeq: s.lastSeq,
          logTail: s.logTail,
          startedAt: s.startedAt ?? null,
          finishedAt: s.finishedAt ?? null,
          failure: s.failure ?? null,
          metricsJson: s.metrics ? JSON.stringify(s.metrics) : null,
          updatedAt: now.toISOString()
        }
      });
      // Someone else wrote in between (the sweeper, a cancel): read again.
      if (result.matchedCount === 0) continue;
      await insertEventDocs(this._database, folded.events.map(eventToDoc));
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

  async *watch(
    jobId: string,
    afterSeq: number,
    signal?: AbortSignal
  ): AsyncIterable<JobEvent> {
    const database = this._database;
    let last = afterSeq;
    let gapSince = 0;
    // Ends quietly when the store is disposed under it.
    while (!signal?.aborted && !database.isDisposed) {
      const page = await this.read(jobId, last, WATCH_PAGE_SIZE);
      let yielded = 0;
      for (const event of page) {
        if (event.seq !== last + 1) {
          // A numbered event not inserted yet: wait for it, up to a limit.
          gapSince ||= Date.now();
          if (Date.now() - gapSince < GAP_SKIP_MS) break;
        }
        gapSince = 0;
        if (signal?.aborted) return;
        yield event;
        yielded++;
        last = event.seq;
        if (event.type === 'job:status' && isFinalJobStatus(event.status)) {
          return;
        }
      }
      if (yielded === WATCH_PAGE_SIZE) continue;
      const job = await database.jobs.findOne(
        { _id: jobId },
        { projection: { status: 1, lastSeq: 1 } }
      );
      if (!job) throw jobNotFound(jobId);
      if (job.lastSeq > last) {
        if (yielded > 0) continue;
        // Numbered but not yet stored: the writer inserts in a moment.
        gapSince ||= Date.now();
        if (Date.now() - gapSince < GAP_SKIP_MS) {
          await sleep(2);
          continue;
        }
        if (page.length > 0) continue;
      }
      // Final and nothing more to read (or a lost gap at the very end).
      if (isFinalJobStatus(job.status)) return;
      await database.appends.wait(jobId, Math.max(last, job.lastSeq), signal);
    }
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

  private _database: MongoDatabase;
}
