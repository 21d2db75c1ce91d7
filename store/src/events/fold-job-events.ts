import type {
  Failure,
  JobEvent,
  JobPhase,
  JobStatus,
  Metrics,
  RunProgress,
  SeriesSummary
} from '@jaxlab/schemas';
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
  phases?: JobPhase[];
  progress?: RunProgress;
  series?: SeriesSummary;
}

type OptionalStateField = Exclude<
  keyof IJobEventState,
  'status' | 'lastSeq' | 'logTail'
>;

/**
 * The event state of a stored job, its fields decoded but absent ones
 * still null (as both backends hold them).
 */
export function eventStateOf(
  stored: Pick<IJobEventState, 'status' | 'lastSeq' | 'logTail'> & {
    [K in OptionalStateField]?: IJobEventState[K] | null;
  }
): IJobEventState {
  return {
    status: stored.status,
    lastSeq: stored.lastSeq,
    logTail: stored.logTail,
    startedAt: stored.startedAt ?? undefined,
    finishedAt: stored.finishedAt ?? undefined,
    failure: stored.failure ?? undefined,
    metrics: stored.metrics ?? undefined,
    phases: stored.phases ?? undefined,
    progress: stored.progress ?? undefined,
    series: stored.series ?? undefined
  };
}

/** Most phases a job records (the schema's bound). */
const MAX_PHASES = 8;

/** Numbered events and the job state after them. */
export interface IFoldedEvents {
  events: JobEvent[];
  state: IJobEventState;
}

/**
 * Numbers `events` lastSeq+1, +2, ... and folds them into the job's state:
 * status (startedAt on the first RUNNING, finishedAt on a final status),
 * failure, metrics, the bounded log tail, the phases (each ends where the
 * next begins, the last at the final status) and the step series' progress
 * and summary. Pure; both backends use it so they fold identically.
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
          next.phases = endPhase(next.phases, time);
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
      case 'job:phase': {
        const phases = endPhase(next.phases, time) ?? [];
        if (phases.length < MAX_PHASES) {
          const phase: JobPhase = { phase: event.phase, startedAt: time };
          if (event.detail !== undefined) phase.detail = event.detail;
          next.phases = [...phases, phase];
        }
        break;
      }
      case 'job:series':
        next.progress = event.progress;
        next.series = event.summary;
        break;
      default:
        throw new JaxLabError(
          'INVALID_REQUEST',
          `Unknown job event type ${String((event as { type?: unknown }).type)}.`,
          {
            hint: 'Append job:status, job:log, job:metrics, job:phase or job:series events.'
          }
        );
    }
    out.push({ ...event, jobId, seq, time } as JobEvent);
  }
  if (logText) {
    next.logTail = appendToLogTail(next.logTail, logText);
  }
  return { events: out, state: next };
}

/** The phases with the open one (if any) ended at `time`. */
function endPhase(
  phases: JobPhase[] | undefined,
  time: string
): JobPhase[] | undefined {
  const open = phases?.[phases.length - 1];
  if (!phases || !open || open.endedAt !== undefined) return phases;
  return [...phases.slice(0, -1), { ...open, endedAt: time }];
}
