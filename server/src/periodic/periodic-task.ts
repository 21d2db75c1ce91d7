/** Options of {@link PeriodicTask}. */
export interface IPeriodicTaskOptions {
  /** One pass of the work; a rejection is reported and the timer goes on. */
  run: () => Promise<unknown>;
  /** Time between passes. */
  intervalMs: number;
  /** What a failed pass is reported as, e.g. `'Retention sweep failed:'`. */
  failureMessage: string;
  /** Where a failed pass is reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
}

/**
 * A background pass run now and then every `intervalMs`, one at a time: a
 * tick that comes while a pass is still running is skipped. The timer is
 * unref'd, so it never keeps the process alive. Owns its timer; `dispose()`
 * stops it, waits for a pass in progress and is idempotent; `start()` after
 * `dispose()` does nothing.
 *
 * @example
 * ```ts
 * const task = new PeriodicTask({
 *   run: () => sweeper.sweepOnce(),
 *   intervalMs: 3600_000,
 *   failureMessage: 'Retention sweep failed:'
 * }).start();
 * // on shutdown:
 * await task.dispose();
 * ```
 */
export class PeriodicTask {
  constructor(options: IPeriodicTaskOptions) {
    this._options = options;
  }

  /** Runs a pass now and then every `intervalMs` until disposed. */
  start(): this {
    if (this._timer || this._isDisposed) return this;
    const tick = (): void => {
      if (this._running) return;
      const { run, failureMessage, log = console.error } = this._options;
      this._running = run()
        .catch(err => log(failureMessage, err))
        .then(() => {
          this._running = undefined;
        });
    };
    this._timer = setInterval(tick, this._options.intervalMs);
    this._timer.unref();
    tick();
    return this;
  }

  /** Stops the timer and waits for a pass in progress. Idempotent. */
  async dispose(): Promise<void> {
    this._isDisposed = true;
    if (this._timer) clearInterval(this._timer);
    this._timer = undefined;
    await this._running;
  }

  private _options: IPeriodicTaskOptions;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _running: Promise<void> | undefined;
  private _isDisposed = false;
}
