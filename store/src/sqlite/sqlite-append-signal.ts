import { SeqWaiters } from '../events/seq-waiters.js';

/** How often a waiting watcher checks for another process's commit. */
const DATA_VERSION_POLL_MS = 5;

/** Longest a watcher sleeps without re-reading, against lost wake-ups. */
const WATCH_SAFETY_MS = 1000;

/**
 * Wake-ups of SQLite event watchers. An append in this process wakes its
 * job's watchers at once ({@link SqliteAppendSignal.notify}); a commit by
 * another process sharing the file is noticed by polling
 * `PRAGMA data_version` (a counter that changes when another connection commits)
 * every 5 ms while anyone waits, which wakes every watcher to re-read.
 */
export class SqliteAppendSignal {
  /** `dataVersion` reads the counter; null once the connection closed. */
  constructor(dataVersion: () => number | null) {
    this._dataVersion = dataVersion;
    this._lastVersion = dataVersion() ?? 0;
  }

  /** Events of `jobId` were appended in this process. */
  notify(jobId: string): void {
    this._waiters.wake(jobId);
  }

  /**
   * Resolves when `jobId` may have new events, when `signal` aborts, on
   * dispose, or after a safety timeout (the caller re-reads either way).
   */
  wait(jobId: string, signal: AbortSignal | undefined): Promise<void> {
    const waiting = this._waiters.wait(jobId, signal, WATCH_SAFETY_MS);
    this._startPolling();
    return waiting;
  }

  /** Stops polling and releases every waiter. Idempotent. */
  dispose(): void {
    this._isDisposed = true;
    this._stopPolling();
    this._waiters.wakeAll();
  }

  private _startPolling(): void {
    if (this._pollTimer || this._isDisposed) return;
    this._pollTimer = setInterval(() => {
      const version = this._waiters.isEmpty ? null : this._dataVersion();
      if (version === null) {
        this._stopPolling();
        return;
      }
      if (version !== this._lastVersion) {
        this._lastVersion = version;
        this._waiters.wakeAll();
      }
    }, DATA_VERSION_POLL_MS);
    this._pollTimer.unref();
  }

  private _stopPolling(): void {
    if (this._pollTimer) {
      clearInterval(this._pollTimer);
      this._pollTimer = null;
    }
  }

  private _dataVersion: () => number | null;
  private _isDisposed = false;
  private _lastVersion: number;
  private _pollTimer: NodeJS.Timeout | null = null;
  private _waiters = new SeqWaiters();
}
