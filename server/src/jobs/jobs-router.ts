import express from 'express';
import type { Request, Router } from 'express';
import type {
  Job,
  JobAccepted,
  JobEvent,
  JobPage,
  JobSummary,
  JobUpdate,
  LogChunk,
  LogPage
} from '@jaxlab/schemas';
import { assertValid, isFinalJobStatus } from '@jaxlab/schemas';
import type {
  IHosts,
  IJobArtifacts,
  IJobEvents,
  IJobs,
  IProjects
} from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { parseInteger, queryInteger } from '../http/request-params.js';
import { ownerOf } from '../http/request-user.js';
import { ownJob as ownJobOf } from './own-job.js';
import {
  exportNotebook,
  notebookFileName
} from '../notebook/notebook-export.js';
import { notebookArtifacts } from '../notebook/artifact-outputs.js';
import { jobListQuery } from './job-list-query.js';
import { resolveJobRequest } from './job-request.js';
import { queuePlace } from './queue-place.js';
import { jobSummaryView, jobView } from './job-view.js';
import { streamJobEvents } from './sse-stream.js';

/** Largest `after` a client may send (a sequence number). */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Options of {@link createJobsRouter}. */
export interface IJobsRouterOptions {
  /** The jobs themselves. */
  jobs: IJobs;
  /** Their logs and live events. */
  events: IJobEvents;
  /** The projects jobs are submitted from and exported with. */
  projects: IProjects;
  /** Files kept with jobs (their images go into exported notebooks). */
  artifacts?: IJobArtifacts;
  /** Live hosts, for why a job waits. */
  hosts: Pick<IHosts, 'list'>;
  /** A host counts as live this long after its heartbeat. */
  hostStaleAfterMs: number;
  /** The per-user cap the gateways apply, for why a job waits. */
  maxJobsPerOwner?: number;
  /** Called with each event sent on an SSE stream (metrics). */
  onEventSent?: (event: JobEvent) => void;
  /** Interval of SSE heartbeat comments (default 15 s). */
  sseHeartbeatMs?: number;
  /** Log chunks one `GET /logs` page holds at most (default 1000). */
  maxLogPage?: number;
  /**
   * Bytes of log text one `GET /logs` page holds at most (default 4 MiB);
   * a page always holds at least one chunk.
   */
  maxLogPageBytes?: number;
}

/** Chunks read from the store at a time while filling a log page. */
const LOG_READ_BATCH = 16;

/**
 * The jobs API, mounted at `/api/jobs` after authentication. Every call is
 * scoped to `req.user.id`: another user's job answers 404 `JOB_NOT_FOUND`,
 * exactly like a missing one.
 *
 * - `POST /` → 202 `{jobId, job}` with `Location`, the job written QUEUED;
 * - `GET /?status=&projectId=&tag=&q=&arg=&metric=&limit=&cursor=` →
 *   `{items, nextCursor}` (summaries, newest first; see {@link jobListQuery});
 * - `GET /{id}` → the job (a queued one with its `queuePosition`);
 * - `PATCH /{id}` → the job, named, tagged or annotated (a JobUpdate);
 * - `GET /{id}/queue` → its place in the queue and why it waits;
 * - `GET /{id}/logs?after=&limit=` → `{items, nextAfter, done}` (log chunks by sequence,
 *   at most `limit` chunks and `maxLogPageBytes` of text);
 * - `GET /{id}/events` → Server-Sent Events from `Last-Event-ID` (or `?after=`);
 * - `POST /{id}/cancel` → 202 with the job, 409 `JOB_FINISHED` when it already ended;
 * - `GET /{id}/notebook` → the run as an `.ipynb` attachment.
 */
export function createJobsRouter(options: IJobsRouterOptions): Router {
  const { jobs, events, projects, artifacts } = options;
  const maxLogPage = options.maxLogPage ?? 1000;
  const maxLogPageBytes = options.maxLogPageBytes ?? 4 * 1024 * 1024;
  const router = express.Router();

  const ownJob = (req: Request): Promise<Job> =>
    ownJobOf(jobs, String(req.params.id), ownerOf(req));

  router.post('/', async (req, res) => {
    const owner = ownerOf(req);
    const input = await resolveJobRequest(projects, owner, req.body);
    const job = await jobs.create(owner, input);
    const accepted: JobAccepted = { jobId: job.id, job: jobView(job) };
    res
      .status(202)
      .location(`${req.baseUrl}/${encodeURIComponent(job.id)}`)
      .json(accepted);
  });

  /** A queued job with its place in the queue. */
  const withQueuePosition = async <T extends JobSummary>(
    job: T
  ): Promise<T> => {
    if (job.status !== 'QUEUED') return job;
    const position = await jobs.queuePosition(job.id);
    return position === null ? job : { ...job, queuePosition: position };
  };

  router.get('/', async (req, res) => {
    // The store answers INVALID_REQUEST for a cursor it did not make.
    const page = await jobs.list(jobListQuery(req, ownerOf(req)));
    const body: JobPage = {
      items: await Promise.all(
        page.items.map(job => withQueuePosition(jobSummaryView(job)))
      ),
      nextCursor: page.nextCursor ?? null
    };
    res.json(body);
  });

  router.get('/:id', async (req, res) => {
    res.json(await withQueuePosition(jobView(await ownJob(req))));
  });

  router.patch('/:id', async (req, res) => {
    const job = await ownJob(req);
    const body: unknown = req.body ?? {};
    assertValid('job-update', body, 'run change');
    const update: JobUpdate = body;
    const updated = await jobs.update(job.id, ownerOf(req), update);
    if (!updated) throw new HttpError('JOB_NOT_FOUND', `No job ${job.id}`);
    res.json(jobView(updated));
  });

  router.get('/:id/queue', async (req, res) => {
    const job = await ownJob(req);
    const owner = ownerOf(req);
    const [position, hosts, active] = await Promise.all([
      jobs.queuePosition(job.id),
      options.hosts.list(new Date(Date.now() - options.hostStaleAfterMs)),
      options.maxJobsPerOwner === undefined
        ? undefined
        : jobs.list({ owner, status: ['COMPILING', 'RUNNING'], limit: 200 })
    ]);
    res.json(
      queuePlace({
        job,
        position,
        hosts,
        ownerActive: active?.items.length ?? 0,
        maxJobsPerOwner: options.maxJobsPerOwner
      })
    );
  });

  router.get('/:id/logs', async (req, res) => {
    const job = await ownJob(req);
    const after = queryInteger(req, 'after', {
      min: 0,
      max: MAX_SEQ,
      default: 0
    })!;
    const limit = queryInteger(req, 'limit', {
      min: 1,
      max: maxLogPage,
      default: maxLogPage
    })!;
    // Read in small batches until the page is full by count or bytes, so
    // that a page of huge chunks is never loaded whole.
    const items: LogChunk[] = [];
    let bytes = 0;
    let more = false;
    let cursor = after;
    while (!more) {
      const batch = await events.readLogs(job.id, cursor, LOG_READ_BATCH);
      for (const chunk of batch) {
        const size = Buffer.byteLength(chunk.text);
        if (
          items.length === limit ||
          (items.length > 0 && bytes + size > maxLogPageBytes)
        ) {
          more = true;
          break;
        }
        items.push(chunk);
        bytes += size;
        cursor = chunk.seq;
      }
      if (batch.length < LOG_READ_BATCH) break;
    }
    const page: LogPage = {
      items,
      nextAfter: items.length > 0 ? items[items.length - 1].seq : after,
      done: !more && isFinalJobStatus(job.status)
    };
    res.json(page);
  });

  router.get('/:id/events', async (req, res) => {
    const job = await ownJob(req);
    const header = req.get('last-event-id');
    const after =
      header !== undefined && header.trim() !== ''
        ? parseInteger(header, 'Last-Event-ID', { min: 0, max: MAX_SEQ })
        : queryInteger(req, 'after', { min: 0, max: MAX_SEQ, default: 0 })!;
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    res.on('close', abort);
    try {
      await streamJobEvents(
        res,
        observed(
          events.watch(job.id, after, controller.signal),
          options.onEventSent
        ),
        {
          signal: controller.signal,
          heartbeatMs: options.sseHeartbeatMs
        }
      );
    } finally {
      res.off('close', abort);
      controller.abort();
    }
  });

  router.post('/:id/cancel', async (req, res) => {
    const job = await ownJob(req);
    if (isFinalJobStatus(job.status)) throw finished(job);
    const cancelled = await jobs.requestCancel(job.id, ownerOf(req));
    if (!cancelled) throw new HttpError('JOB_NOT_FOUND', `No job ${job.id}`);
    // It may have ended on its own between the read and the request.
    if (isFinalJobStatus(cancelled.status) && cancelled.status !== 'CANCELLED')
      throw finished(cancelled);
    res.status(202).json(jobView(cancelled));
  });

  router.get('/:id/notebook', async (req, res) => {
    const job = await ownJob(req);
    const project = job.projectId
      ? await projects.get(job.projectId, job.owner)
      : null;
    const notebook = await exportNotebook(events, job, project, {
      artifacts: artifacts
        ? await notebookArtifacts(artifacts, job.id)
        : undefined
    });
    res
      .status(200)
      .attachment(notebookFileName(job, project))
      .type('application/x-ipynb+json')
      .send(JSON.stringify(notebook, null, 1) + '\n');
  });

  return router;
}

async function* observed(
  events: AsyncIterable<JobEvent>,
  onEvent: ((event: JobEvent) => void) | undefined
): AsyncIterable<JobEvent> {
  for await (const event of events) {
    onEvent?.(event);
    yield event;
  }
}

function finished(job: Job): HttpError {
  return new HttpError(
    'JOB_FINISHED',
    `Job ${job.id} already ended ${job.status}`,
    {
      hint: 'Only queued or running jobs can be cancelled.'
    }
  );
}
