/**
 * In-process wake-ups for `IJobEvents.watch`: a watcher waits for a job, and an
 * append in this process (or a poller that saw another process's write)
 * wakes it. Wake-ups carry no data; a woken watcher re-reads the store, so a
 * spurious wake-up costs one query and a missed one at most a poll period.
 */
export class SeqWaiters {
  /** Jobs with at least one waiting watcher. */
  get jobIds(): string[] {
    return [...this._waiters.keys()];
  }

  /** Whether any watcher waits. */
  get isEmpty(): boolean {
    return this._waiters.size === 0;
  }

  /**
   * Resolves on the next {@link SeqWaiters.wake} of `jobId`, when `signal`
   * aborts, or after `timeoutMs` (a safety net against lost wake-ups).
   */
  wait(
    jobId: string,
    signal: AbortSignal | undefined,
    timeoutMs: number
  ): Promise<void> {
    return new Promise<void>(resolve => {
      let set = this._waiters.get(jobId);
      if (!set) {
        set = new Set();
        this._waiters.set(jobId, set);
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const current = this._waiters.get(jobId);
        if (current) {
          current.delete(done);
          if (current.size === 0) this._waiters.delete(jobId);
        }
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
      if (signal?.aborted) done();
    });
  }

  /** Wakes every watcher of `jobId`. */
  wake(jobId: string): void {
    const set = this._waiters.get(jobId);
    if (set) for (const done of [...set]) done();
  }

  /** Wakes every watcher. */
  wakeAll(): void {
    for (const jobId of this.jobIds) this.wake(jobId);
  }

  private _waiters = new Map<string, Set<() => void>>();
}
