import type { Job, Sweep, SweepTrial } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import type {
  IHosts,
  IJobEvents,
  IJobs,
  ISeries,
  ISweeps
} from '@jaxlab/store';
import { completedValuesAt } from './completed-at-step.js';
import { medianStop } from './median-stopping.js';
import { sweepTag, trialTag, withTrial } from './sweep-trials.js';
import { trialOutcome } from './trial-outcome.js';

/** Options of {@link SweepScheduler}. */
export interface ISweepSchedulerOptions {
  jobs: IJobs;
  events: IJobEvents;
  series: ISeries;
  sweeps: ISweeps;
  hosts: IHosts;
  /** How often every active sweep is looked at (default 1000 ms). */
  intervalMs?: number;
  /** A host counts as up this long after its heartbeat (default 30 s). */
  hostStaleAfterMs?: number;
  /** Clock (tests inject one). */
  now?: () => Date;
  /** Where a failed pass is reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
}

/**
 * Runs sweeps: submits their PENDING trials as ordinary jobs while fewer
 * than `maxConcurrent` are in flight and the hosts with the accelerator
 * have free slots, records each finished trial's value (or why it has
 * none), applies the median stopping rule, and completes a sweep once
 * every trial is final.
 *
 * Every decision is read from and written to the store (through
 * {@link ISweeps.mutate}), so a scheduler started after a restart of every
 * process carries on where the last one stopped: a trial is marked
 * SUBMITTING before its job is created with the trial's tag, and a
 * SUBMITTING trial found on start is linked to that job if it exists, so
 * no trial runs twice and none is lost. It wakes on its timer and, sooner,
 * on the job events of the trials in flight. Owns its timer and watchers;
 * `dispose()` is idempotent.
 */
export class SweepScheduler {
  constructor(options: ISweepSchedulerOptions) {
    this._options = options;
  }

  /** Looks at every active sweep now and then every `intervalMs`. */
  start(): this {
    if (this._timer || this._disposed) return this;
    const tick = (): void => {
      void this._options.sweeps
        .listActive()
        .then(ids => ids.forEach(id => this.kick(id)))
        .catch(err => this._log('Sweep scheduling failed:', err));
    };
    this._timer = setInterval(tick, this._options.intervalMs ?? 1000);
    this._timer.unref();
    tick();
    return this;
  }

  /**
   * Advances the sweep soon (one pass at a time per sweep; a kick during a
   * pass runs one more after it). Resolves when that pass is done.
   */
  kick(sweepId: string): Promise<void> {
    if (this._disposed) return Promise.resolve();
    const state = this._passes.get(sweepId);
    if (state) {
      state.again = true;
      return state.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        try {
          await this.advance(sweepId);
        } catch (err) {
          this._log(`Sweep ${sweepId} could not advance:`, err);
        }
      } while (entry.again && !this._disposed);
      this._passes.delete(sweepId);
    })();
    this._passes.set(sweepId, entry);
    return entry.done;
  }

  /**
   * One pass over a sweep: outcomes of finished trials, early stopping,
   * then submissions up to the free slots. Answers the sweep after it.
   */
  async advance(sweepId: string): Promise<Sweep | null> {
    let sweep = await this._options.sweeps.get(sweepId);
    if (!sweep) return null;
    for (const trial of sweep.trials) {
      if (trial.state === 'SUBMITTING') {
        sweep = (await this._recoverSubmitting(sweep, trial)) ?? sweep;
      }
    }
    let inFlight: Job[] = [];
    for (const trial of sweep.trials) {
      if (trial.state !== 'SUBMITTED' || !trial.jobId) continue;
      const job = await this._options.jobs.get(trial.jobId);
      if (!job) continue;
      if (isFinalJobStatus(job.status)) {
        sweep = (await this._recordOutcome(sweep, trial, job)) ?? sweep;
      } else {
        inFlight.push(job);
        this._watch(sweep.id, job);
        if (sweep.earlyStopping && job.status === 'RUNNING') {
          const stopped = await this._medianStop(sweep, trial, job);
          if (stopped) {
            sweep = stopped;
            inFlight = inFlight.filter(j => j.id !== job.id);
          }
        }
      }
    }
    if (sweep.status === 'CANCELLED') {
      for (const job of inFlight) {
        await this._options.jobs.requestCancel(job.id, sweep.owner);
      }
      return sweep;
    }
    if (sweep.status !== 'RUNNING') return sweep;
    let slots = Math.min(
      sweep.maxConcurrent - inFlight.length,
      await this.freeSlots(sweep.accelerator)
    );
    for (const trial of sweep.trials) {
      if (slots <= 0) break;
      if (trial.state !== 'PENDING') continue;
      const submitted = await this._submit(sweep, trial);
      if (!submitted) break;
      sweep = submitted;
      slots--;
    }
    return sweep;
  }

  /**
   * Free slots for `accelerator` now: the concurrent job limits of the live
   * hosts that have it (as their heartbeats report them), less the jobs for
   * it that are queued or running (the store's count: a heartbeat's
   * `runningJobs` lags by up to its interval, which would hold each trial
   * back that long).
   */
  async freeSlots(accelerator: Sweep['accelerator']): Promise<number> {
    const now = this._now().getTime();
    const hosts = await this._options.hosts.list(
      new Date(now - (this._options.hostStaleAfterMs ?? 30_000))
    );
    const capacity = hosts
      .filter(host =>
        host.accelerators.some(a => a.kind === accelerator && a.count > 0)
      )
      .reduce((slots, host) => slots + host.maxConcurrentJobs, 0);
    if (!capacity) return 0;
    return Math.max(
      0,
      capacity - (await this._options.jobs.countUnfinished(accelerator))
    );
  }

  /** Stops the timer and watchers, waits for passes in progress. Idempotent. */
  async dispose(): Promise<void> {
    this._disposed = true;
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
    for (const watcher of this._watchers.values()) watcher.abort();
    this._watchers.clear();
    await Promise.all([...this._passes.values()].map(p => p.done));
  }

  private async _submit(
    sweep: Sweep,
    trial: SweepTrial
  ): Promise<Sweep | null> {
    const { sweeps } = this._options;
    // Marked first: a restart between the two writes finds the job by tag.
    const marked = await sweeps.mutate(sweep.id, current =>
      current.status === 'RUNNING'
        ? withTrial(
            current,
            trial.index,
            'PENDING',
            { state: 'SUBMITTING' },
            this._now()
          )
        : null
    );
    if (marked?.trials[trial.index].state !== 'SUBMITTING') return null;
    return this._createTrialJob(marked, trial);
  }

  private async _createTrialJob(
    sweep: Sweep,
    trial: SweepTrial
  ): Promise<Sweep | null> {
    const template = await this._options.sweeps.template(sweep.id);
    if (!template) return null;
    const job = await this._options.jobs.create(sweep.owner, {
      projectId: sweep.projectId,
      code: template.code,
      requirements: template.requirements,
      ...(template.timeLimitMs !== undefined
        ? { timeLimitMs: template.timeLimitMs }
        : {}),
      entrypoint: sweep.entrypoint,
      args: trial.args,
      accelerator: sweep.accelerator,
      name: `${sweep.name} #${trial.index + 1}`,
      tags: [sweepTag(sweep.id), trialTag(sweep.id, trial.index)]
    });
    this._watch(sweep.id, job);
    return this._linkJob(sweep, trial, job.id);
  }

  /** SUBMITTING -> SUBMITTED with its job. */
  private _linkJob(
    sweep: Sweep,
    trial: SweepTrial,
    jobId: string
  ): Promise<Sweep | null> {
    return this._options.sweeps.mutate(sweep.id, current =>
      withTrial(
        current,
        trial.index,
        'SUBMITTING',
        { state: 'SUBMITTED', jobId },
        this._now()
      )
    );
  }

  private async _recoverSubmitting(
    sweep: Sweep,
    trial: SweepTrial
  ): Promise<Sweep | null> {
    const page = await this._options.jobs.list({
      owner: sweep.owner,
      projectId: sweep.projectId,
      tag: trialTag(sweep.id, trial.index),
      limit: 20
    });
    const lost = new Set(trial.lostJobIds ?? []);
    const job = page.items.find(j => !lost.has(j.id));
    if (!job) return this._createTrialJob(sweep, trial);
    return this._linkJob(sweep, trial, job.id);
  }

  private async _recordOutcome(
    sweep: Sweep,
    trial: SweepTrial,
    job: Job
  ): Promise<Sweep | null> {
    const { to, patch } = trialOutcome(sweep, trial, job);
    const next = await this._options.sweeps.mutate(sweep.id, current => {
      const changed = withTrial(
        current,
        trial.index,
        'SUBMITTED',
        patch,
        this._now(),
        job.id
      );
      if (changed && to === 'PENDING') delete changed.trials[trial.index].jobId;
      return changed;
    });
    return next;
  }

  private async _medianStop(
    sweep: Sweep,
    trial: SweepTrial,
    job: Job
  ): Promise<Sweep | null> {
    const rule = sweep.earlyStopping!;
    const own = job.series?.[rule.metric];
    if (!own || own.lastStep < (rule.minStep ?? 0)) return null;
    const step = own.lastStep;
    const atStep = await completedValuesAt(
      this._options.series,
      sweep,
      rule.metric,
      step
    );
    // "Worse" is by the sweep's direction: the rule watches the target or
    // a step metric that moves the same way.
    const mid = medianStop(
      sweep.target.direction,
      own.last,
      atStep,
      rule.minCompleted ?? 3
    );
    if (mid === null) return null;
    const stopped = await this._options.sweeps.mutate(sweep.id, current =>
      withTrial(
        current,
        trial.index,
        'SUBMITTED',
        {
          state: 'STOPPED',
          stoppedAt: { step, value: own.last, median: mid },
          failure: {
            code: 'STOPPED_EARLY',
            message: `Stopped at step ${step}: ${rule.metric} ${own.last} was worse than the median ${mid} of the completed trials at that step.`
          }
        },
        this._now(),
        job.id
      )
    );
    if (stopped?.trials[trial.index].state === 'STOPPED') {
      await this._options.jobs.requestCancel(job.id, sweep.owner);
      return stopped;
    }
    return null;
  }

  /** Wakes the sweep on its trial job's progress and end. */
  private _watch(sweepId: string, job: Job): void {
    if (this._disposed || this._watchers.has(job.id)) return;
    const abort = new AbortController();
    this._watchers.set(job.id, abort);
    void (async () => {
      try {
        for await (const event of this._options.events.watch(
          job.id,
          job.lastSeq,
          abort.signal
        )) {
          if (event.type === 'job:status' || event.type === 'job:series') {
            void this.kick(sweepId);
          }
        }
      } catch (err) {
        if (!abort.signal.aborted)
          this._log(`Watching job ${job.id} failed:`, err);
      } finally {
        this._watchers.delete(job.id);
        if (!abort.signal.aborted) void this.kick(sweepId);
      }
    })();
  }

  private _now(): Date {
    return (this._options.now ?? (() => new Date()))();
  }

  private _log(message: string, error: unknown): void {
    (this._options.log ?? console.error)(message, error);
  }

  private _options: ISweepSchedulerOptions;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _disposed = false;
  private _passes = new Map<string, { again: boolean; done: Promise<void> }>();
  private _watchers = new Map<string, AbortController>();
}
