import type { Failure, JobEvent, JobStatus, Metrics } from '@jaxlab/schemas';
import { JaxLabError, isFinalJobStatus } from '@jaxlab/schemas';
import type { NewJobEvent } from './contract.js';
import { appendToLogTail } from './log-tail.js';

/** The fields of a job that its events change. */
export interface IJobEventState {
  status: JobStatus;
  lastSeq: number;
  logTail: string;
  startedAt?: string;
  finishedAt?: string;
  failure?: Failure;
  metrics?: Metrics;
}

/** Numbered events and the job state after them. */
export interface IFoldedEvents {
  events: JobEvent[];
  state: IJobEventState;
}

/**
 * Numbers `events` lastSeq+1, +2, ... and folds them into the job's state:
 * status (startedAt on the first RUNNING, finishedAt on a final status),
 * failure, metrics and the bounded log tail. Pure; both backends use it so
 * they fold identically.
 *
 * @throws JaxLabError `JOB_FINISHED` when the job, or an earlier event of the
 *   batch, is final; `INVALID_REQUEST` for an unknown event type.
 */
export function foldJobEvents(
  jobId: string,
  state: IJobEventState,
  events: readonly NewJobEvent[],
  now: Date
): IFoldedEvents {
  const time = now.toISOString();
  const next: IJobEventState = { ...state };
  const out: JobEvent[] = [];
  let logText = '';
  for (const event of events) {
    if (isFinalJobStatus(next.status)) {
      throw new JaxLabError(
        'JOB_FINISHED',
        `Job ${jobId} already ended ${next.status}; no more events can be added.`,
        { hint: 'A finished job never changes; start a new job instead.' }
      );
    }
    const seq = ++next.lastSeq;
    switch (event.type) {
      case 'job:status':
        next.status = event.status;
        if (event.status === 'RUNNING' && next.startedAt === undefined) {
          next.startedAt = time;
        }
        if (isFinalJobStatus(event.status)) {
          next.finishedAt = time;
        }
        if (event.failure) {
          next.failure = event.failure;
        }
        break;
      case 'job:log':
        logText += event.text;
        break;
      case 'job:metrics':
        next.metrics = event.metrics;
        break;
      default:
        throw new JaxLabError(
          'INVALID_REQUEST',
          `Unknown job event type ${String((event as { type?: unknown }).type)}.`,
          { hint: 'Append job:status, job:log or job:metrics events.' }
        );
    }
    out.push({ ...event, jobId, seq, time } as JobEvent);
  }
  if (logText) {
    next.logTail = appendToLogTail(next.logTail, logText);
  }
  return { events: out, state: next };
}
