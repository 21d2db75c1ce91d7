import type { JobOutcome } from './job-outcome.js';

/**
 * How a running job is ended from outside its call: a cancel request, the
 * time limit, a full folder, the gateway stopping or handing it back, a
 * lost lease. The first end forced is the job's (a lost lease overrides
 * it: nothing may be written then); {@link promise} resolves once the job
 * must end now, which may be a grace period after the call was
 * interrupted.
 */
export class ForcedEnd {
  constructor() {
    this.promise = new Promise(resolve => (this._resolve = resolve));
  }

  /** Resolves with the forced outcome once the job must end now. */
  readonly promise: Promise<JobOutcome>;

  /** The outcome forced on the job, if any. */
  get outcome(): JobOutcome | undefined {
    return this._outcome;
  }

  /** Aborted once an end is forced (an environment build, a kernel start). */
  get signal(): AbortSignal {
    return this._abort.signal;
  }

  /** Ends the job now with `outcome`, unless an end was forced before. */
  force(outcome: JobOutcome): void {
    this._outcome ??= outcome;
    this._abort.abort();
    this._resolve(this._outcome);
  }

  /** The lease is gone: the job ends now, recording nothing. */
  lose(): void {
    this._outcome = { status: 'lost' };
    this.force(this._outcome);
  }

  /**
   * Forces `outcome` (unless an end was forced before): calls `interrupt`
   * (KeyboardInterrupt lets the call end cleanly, with its output flushed)
   * and ends the job after `graceMs` whatever happens; at once when there
   * is nothing to interrupt.
   */
  interruptThenForce(
    outcome: JobOutcome,
    graceMs: number,
    interrupt: (() => void) | undefined
  ): void {
    if (this._outcome) {
      return;
    }
    this._outcome = outcome;
    this._abort.abort();
    if (interrupt) {
      interrupt();
      this._graceTimer = setTimeout(() => this._resolve(outcome), graceMs);
    } else {
      this._resolve(outcome);
    }
  }

  /** Stops the grace period's timer and aborts what may still be going. */
  dispose(): void {
    clearTimeout(this._graceTimer);
    this._abort.abort();
  }

  private _outcome: JobOutcome | undefined;
  private _resolve!: (outcome: JobOutcome) => void;
  private readonly _abort = new AbortController();
  private _graceTimer: NodeJS.Timeout | undefined;
}
