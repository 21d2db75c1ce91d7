import type {
  RunProgress,
  SeriesPoints,
  SeriesSummary,
  StepMetrics
} from '@jaxlab/schemas';
import { isValid, validationErrors } from '@jaxlab/schemas';
import type { ISeries, NewJobEvent } from '@jaxlab/store';

/**
 * Turns the StepMetrics batches a job's kernel publishes into the job's
 * step series: each batch is checked (the schema, then equal column
 * lengths: the kernel is not trusted), batches are merged and appended to
 * the store every `flushIntervalMs`, and a `job:series` event (progress
 * and summary) follows at most every `eventIntervalMs`, so watchers learn
 * that the series grew without the event log carrying the points. A run
 * may log at most `maxNames` names and `maxPoints` points; what it sends
 * beyond, or what is malformed, is left out and said once in the job's
 * log. One store append at a time, in arrival order.
 */
export class StepSeriesWriter {
  constructor(options: StepSeriesWriter.IOptions) {
    this._options = options;
    this._flushIntervalMs = options.flushIntervalMs ?? 250;
    this._eventIntervalMs = options.eventIntervalMs ?? 500;
    this._maxNames = options.maxNames ?? 64;
    this._maxPoints = options.maxPoints ?? 10_000_000;
  }

  /** Takes one batch as the kernel sent it (display data of the step-metrics mime type). */
  accept(data: unknown): void {
    if (this._closed) return;
    const problem = problemOf(data);
    if (problem) {
      this._say('malformed', `a step-metrics message was left out: ${problem}`);
      return;
    }
    const batch = data as StepMetrics;
    if (batch.totalSteps !== undefined) this._totalSteps = batch.totalSteps;
    for (const count of Object.values(batch.nonFinite ?? {})) {
      this._nonFinite += count;
    }
    for (const [name, points] of Object.entries(batch.series)) {
      this._take(name, points);
    }
    this._dirty = true;
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      void this._write(false);
    }, this._flushIntervalMs);
  }

  /**
   * Writes everything taken so far and a last `job:series` event; resolves
   * once they are stored. Call before the job's final status.
   */
  async flush(): Promise<void> {
    clearTimeout(this._timer);
    this._timer = undefined;
    await this._write(true);
  }

  /** Stops taking batches (after {@link StepSeriesWriter.flush}). */
  dispose(): void {
    this._closed = true;
    clearTimeout(this._timer);
  }

  private _take(name: string, points: SeriesPoints): void {
    const n = points.steps.length;
    if (n === 0) return;
    if (!this._names.has(name) && this._names.size >= this._maxNames) {
      this._dropped += n;
      this._say(
        'names',
        `step metrics past the run's ${this._maxNames} names are left out (first: ${name})`
      );
      return;
    }
    const room = this._maxPoints - this._points;
    if (room <= 0) {
      this._dropped += n;
      this._say(
        'points',
        `step metrics past the run's ${this._maxPoints} points are left out`
      );
      return;
    }
    this._names.add(name);
    const kept = Math.min(n, room);
    const pending = (this._pending[name] ??= {
      steps: [],
      values: [],
      times: []
    });
    for (let i = 0; i < kept; i++) {
      pending.steps.push(points.steps[i]);
      pending.values.push(points.values[i]);
      pending.times.push(points.times[i]);
    }
    this._points += kept;
    if (kept < n) {
      this._dropped += n - kept;
      this._say(
        'points',
        `step metrics past the run's ${this._maxPoints} points are left out`
      );
    }
  }

  private _write(final: boolean): Promise<void> {
    this._chain = this._chain.then(async () => {
      const batch = this._pending;
      this._pending = {};
      try {
        if (Object.keys(batch).length > 0) {
          this._summary = await this._options.series.append(
            this._options.jobId,
            batch
          );
        }
        const due =
          this._dirty &&
          (final || Date.now() - this._lastEventAt >= this._eventIntervalMs);
        if (due) {
          this._dirty = false;
          this._lastEventAt = Date.now();
          await this._options.appendEvent({
            type: 'job:series',
            progress: this._progress(),
            summary: this._summary
          });
        } else if (this._dirty) {
          this._timer ??= setTimeout(() => {
            this._timer = undefined;
            void this._write(false);
          }, this._eventIntervalMs);
        }
      } catch (error) {
        this._options.log(`cannot store step metrics: ${String(error)}`);
      }
    });
    return this._chain;
  }

  private _progress(): RunProgress {
    const summaries = Object.values(this._summary);
    const progress: RunProgress = {
      step: summaries.reduce((max, s) => Math.max(max, s.lastStep), 0),
      points: summaries.reduce((sum, s) => sum + s.count, 0)
    };
    if (this._totalSteps !== undefined) progress.totalSteps = this._totalSteps;
    if (this._dropped) progress.dropped = this._dropped;
    if (this._nonFinite) progress.nonFinite = this._nonFinite;
    return progress;
  }

  /** Says `text` in the job's log, once per `key`. */
  private _say(key: string, text: string): void {
    if (this._said.has(key)) return;
    this._said.add(key);
    this._options.logLine(`[jaxlab] ${text}\n`);
  }

  private _options: StepSeriesWriter.IOptions;
  private _flushIntervalMs: number;
  private _eventIntervalMs: number;
  private _maxNames: number;
  private _maxPoints: number;
  private _pending: Record<string, SeriesPoints> = {};
  private _summary: SeriesSummary = {};
  private _names = new Set<string>();
  private _points = 0;
  private _dropped = 0;
  private _nonFinite = 0;
  private _totalSteps: number | undefined;
  private _dirty = false;
  private _lastEventAt = 0;
  private _said = new Set<string>();
  private _chain: Promise<void> = Promise.resolve();
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;
}

/** Statics and option types of {@link StepSeriesWriter}. */
export namespace StepSeriesWriter {
  export interface IOptions {
    /** Where the points go. */
    series: ISeries;
    jobId: string;
    /** Appends an event after the job's earlier events (its event writer). */
    appendEvent: (event: NewJobEvent) => Promise<void>;
    /** Writes a line to the job's log (stderr). */
    logLine: (text: string) => void;
    /** The gateway's own log. */
    log: (line: string) => void;
    /** How long batches gather before a store append (default 250 ms). */
    flushIntervalMs?: number;
    /** Least time between two `job:series` events (default 500 ms). */
    eventIntervalMs?: number;
    /** Most metric names of a run (default 64, the schema's bound). */
    maxNames?: number;
    /** Most points of a run, all names together (default 10,000,000). */
    maxPoints?: number;
  }
}

/** Why `data` is not a batch to store, or undefined when it is. */
function problemOf(data: unknown): string | undefined {
  if (!isValid('step-metrics', data)) {
    return validationErrors('step-metrics', data).slice(0, 3).join('; ');
  }
  for (const [name, p] of Object.entries((data as StepMetrics).series)) {
    if (
      p.values.length !== p.steps.length ||
      p.times.length !== p.steps.length
    ) {
      return `${name}: steps, values and times differ in length`;
    }
  }
  return undefined;
}
