import type {
  Artifact,
  Failure,
  Job,
  JobEvent,
  JobPhase,
  JobStatus,
  Metrics,
  RunProgress,
  SeriesSummary
} from '@jaxlab/schemas/contract';
import {
  JaxLabError,
  isFinalJobStatus,
  isJaxLabError
} from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';
import { LogModel, type FrameScheduler } from '../log/log-model.js';
import { followQueuePosition } from './queue-position.js';
import { StepRate } from './step-rate.js';

/** Order of the statuses; a job never moves backwards. */
const RANK: Record<JobStatus, number> = {
  QUEUED: 0,
  COMPILING: 1,
  RUNNING: 2,
  COMPLETED: 3,
  FAILED: 3,
  CANCELLED: 3
};

/**
 * State of the job a results panel shows: status, timings, metrics, failure
 * and the live log, driven by the job's event stream.
 *
 * The state machine is `QUEUED → COMPILING → RUNNING → COMPLETED | FAILED |
 * CANCELLED`: events with a sequence number already seen are ignored, a
 * status never moves backwards, and a final status is never left.
 */
export class ResultsModel {
  /** Make a model; bind it to a job with {@link ResultsModel.bind}. */
  constructor(options: ResultsModel.IOptions = {}) {
    this._client = options.client ?? null;
    this._now = options.now ?? Date.now;
    this._log = new LogModel(options.schedule);
  }

  /** Emitted when status, metrics, failure, phases, progress or the job change. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** Emitted when the run's step series grew (a job:series event). */
  get seriesChanged(): ISignal<this, void> {
    return this._seriesChanged;
  }

  /** The phases so far (environment, kernel, call), with their times. */
  get phases(): readonly JobPhase[] {
    return this._phases;
  }

  /** How far the step metrics have come. */
  get progress(): RunProgress | null {
    return this._progress;
  }

  /** Per metric: count, last, min, max so far. */
  get seriesSummary(): SeriesSummary {
    return this._series;
  }

  /**
   * Steps per second over the last `windowMs` of job:series events (the
   * run's whole history when that is shorter), null until two are known.
   */
  stepsPerSecond(windowMs = 10_000): number | null {
    return this._stepRate.perSecond(windowMs);
  }

  /** Whether the bound job may still change (not final). */
  get isActive(): boolean {
    return this._job !== null && !this.isFinal;
  }

  /** Output of the job. */
  get log(): LogModel {
    return this._log;
  }

  /** The job shown, as last fetched (its status may lag the events). */
  get job(): Job | null {
    return this._job;
  }

  /** Files kept with the finished run (its profile trace), once known. */
  get artifacts(): readonly Artifact[] {
    return this._artifacts;
  }

  /** Downloads one of the run's artifacts. */
  async downloadArtifact(name: string): Promise<Blob> {
    if (!this._client || !this._job) {
      throw new JaxLabError('NOT_FOUND', 'No run is shown.');
    }
    return this._client.downloadArtifact(this._job.id, name);
  }

  /** Current status, or null before a job is bound. */
  get status(): JobStatus | null {
    return this._status;
  }

  /** Whether the status is final. */
  get isFinal(): boolean {
    return this._status !== null && isFinalJobStatus(this._status);
  }

  /** Metrics, once the call has returned. */
  get metrics(): Metrics | null {
    return this._metrics;
  }

  /** Why it failed or was cancelled. */
  get failure(): Failure | null {
    return this._failure;
  }

  /** Error of the event stream itself (e.g. the server went away). */
  get streamError(): JaxLabError | null {
    return this._streamError;
  }

  /** Sequence number of the last event applied. */
  get lastSeq(): number {
    return this._lastSeq;
  }

  /**
   * Milliseconds from submission to the end, or to now while it runs: the
   * sum of its phases (see runTimeline), queued time included.
   */
  get elapsedMs(): number | null {
    if (this._createdAt === null) {
      return null;
    }
    return Math.max(0, (this._finishedAt ?? this._now()) - this._createdAt);
  }

  /** When the run ended (ms since the epoch), null while it goes on. */
  get finishedAtMs(): number | null {
    return this.isFinal ? this._finishedAt : null;
  }

  /** The clock the model reads (ms since the epoch). */
  now(): number {
    return this._now();
  }

  /**
   * Show `job` and, with a client, stream its events from the start: the
   * replay fills the log, then live events follow until a final status.
   */
  bind(job: Job): void {
    this._abort?.abort();
    this._abort = null;
    this._job = job;
    this._status = job.status;
    this._metrics = job.metrics ?? null;
    this._failure = job.failure ?? null;
    this._phases = job.phases ?? [];
    this._progress = job.progress ?? null;
    this._series = job.series ?? {};
    this._stepRate.clear();
    this._createdAt = parseTime(job.createdAt);
    this._startedAt = parseTime(job.startedAt);
    this._finishedAt = parseTime(job.finishedAt);
    this._lastSeq = 0;
    this._artifacts = [];
    this._streamError = null;
    this._log.clear();
    this._stateChanged.emit();
    if (this._client) {
      void this._watch(this._client, job.id);
    }
  }

  /** Apply one event; returns whether it changed anything. */
  applyEvent(event: JobEvent): boolean {
    if (event.seq <= this._lastSeq) {
      return false;
    }
    this._lastSeq = event.seq;
    switch (event.type) {
      case 'job:log':
        this._log.append(event.stream, event.text);
        return true;
      case 'job:metrics':
        this._metrics = event.metrics;
        this._stateChanged.emit();
        return true;
      case 'job:series': {
        this._progress = event.progress;
        this._series = event.summary;
        const at = parseTime(event.time) ?? this._now();
        this._stepRate.add(at, event.progress.step);
        this._seriesChanged.emit();
        this._stateChanged.emit();
        return true;
      }
      case 'job:phase': {
        const phase: JobPhase = { phase: event.phase, startedAt: event.time };
        if (event.detail !== undefined) phase.detail = event.detail;
        this._phases = [...endOpenPhase(this._phases, event.time), phase];
        this._stateChanged.emit();
        return true;
      }
      case 'job:status': {
        if (
          this.isFinal ||
          (this._status && RANK[event.status] < RANK[this._status])
        ) {
          return false;
        }
        const time = parseTime(event.time);
        this._status = event.status;
        if (event.status !== 'QUEUED' && this._startedAt === null) {
          this._startedAt = time;
        }
        if (isFinalJobStatus(event.status)) {
          this._finishedAt = time ?? this._now();
          this._log.flush();
          this._phases = endOpenPhase(this._phases, event.time);
        }
        if (event.failure) {
          this._failure = event.failure;
        }
        this._stateChanged.emit();
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Name, tag or annotate the run; the panel shows the answer.
   *
   * @throws JaxLabError from the server.
   */
  async update(patch: {
    name?: string;
    tags?: string[];
    notes?: string;
  }): Promise<void> {
    if (!this._client || !this._job) return;
    const job = await this._client.updateJob(this._job.id, patch);
    if (this._job?.id === job.id) {
      this._job = {
        ...this._job,
        name: job.name,
        tags: job.tags,
        notes: job.notes
      };
      if (!job.name) delete this._job.name;
      if (!job.tags) delete this._job.tags;
      if (!job.notes) delete this._job.notes;
      this._stateChanged.emit();
    }
  }

  /** Ask the server to cancel the job. */
  async cancel(): Promise<void> {
    if (!this._client || !this._job || this.isFinal) {
      return;
    }
    await this._client.cancelJob(this._job.id);
  }

  /** Stop streaming; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._abort?.abort();
    this._log.dispose();
    Signal.clearData(this);
  }

  private async _watch(client: ApiClient, jobId: string): Promise<void> {
    const abort = new AbortController();
    this._abort = abort;
    void followQueuePosition(client, jobId, {
      isQueued: () => this._status === 'QUEUED',
      onJob: ({ queuePosition }) => {
        if (!this._job) return;
        this._job = { ...this._job, queuePosition };
        this._stateChanged.emit();
      },
      signal: abort.signal
    });
    try {
      for await (const event of client.jobEvents(jobId, {
        signal: abort.signal
      })) {
        if (abort.signal.aborted) {
          return;
        }
        this.applyEvent(event);
      }
      if (!abort.signal.aborted && this.isFinal && this._job) {
        // Pick up fields the events do not carry (manifest, host).
        const job = await client.getJob(jobId);
        const artifacts = job.profile
          ? await client
              .listArtifacts(jobId)
              .then(list => list.items)
              .catch(() => [])
          : [];
        if (!abort.signal.aborted) {
          this._artifacts = artifacts;
          this._job = job;
          this._metrics = job.metrics ?? this._metrics;
          this._failure = job.failure ?? this._failure;
          this._finishedAt = parseTime(job.finishedAt) ?? this._finishedAt;
          this._phases = job.phases ?? this._phases;
          this._progress = job.progress ?? this._progress;
          this._series = job.series ?? this._series;
          this._stateChanged.emit();
          this._seriesChanged.emit();
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        this._streamError = isJaxLabError(error)
          ? error
          : new JaxLabError('INTERNAL', String(error));
        this._stateChanged.emit();
      }
    }
  }

  private _client: ApiClient | null;
  private _now: () => number;
  private _log: LogModel;
  private _job: Job | null = null;
  private _artifacts: Artifact[] = [];
  private _status: JobStatus | null = null;
  private _metrics: Metrics | null = null;
  private _failure: Failure | null = null;
  private _streamError: JaxLabError | null = null;
  private _createdAt: number | null = null;
  private _startedAt: number | null = null;
  private _finishedAt: number | null = null;
  private _lastSeq = 0;
  private _phases: JobPhase[] = [];
  private _progress: RunProgress | null = null;
  private _series: SeriesSummary = {};
  private _stepRate = new StepRate();
  private _seriesChanged = new Signal<this, void>(this);
  private _abort: AbortController | null = null;
  private _isDisposed = false;
  private _stateChanged = new Signal<this, void>(this);
}

/** Statics of {@link ResultsModel}. */
export namespace ResultsModel {
  /** Options of {@link ResultsModel}. */
  export interface IOptions {
    /** Client to stream events and cancel with; none for a static view. */
    client?: ApiClient | null;
    /** Clock, ms since the epoch (tests inject one). */
    now?: () => number;
    /** Frame scheduler of the log. */
    schedule?: FrameScheduler;
  }
}

function parseTime(value: string | undefined): number | null {
  if (!value) {
    return null;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The phases with the last one ended at `time` if it is still open. */
function endOpenPhase(phases: JobPhase[], time: string): JobPhase[] {
  return phases.map((p, i, all) =>
    i === all.length - 1 && !p.endedAt ? { ...p, endedAt: time } : p
  );
}
