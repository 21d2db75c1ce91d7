import type { SeriesData } from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';

/**
 * The step series of one run as charts need them: fetched cut into
 * `buckets` buckets, and fetched again when the run says they grew
 * ({@link SeriesModel.invalidate}), at most once per `minIntervalMs` and
 * one request at a time, so a fast run costs a request a second.
 */
export class SeriesModel {
  constructor(options: SeriesModel.IOptions) {
    this._client = options.client;
    this._buckets = options.buckets ?? 1000;
    this._minIntervalMs = options.minIntervalMs ?? 1000;
  }

  /** Emitted when {@link SeriesModel.data} changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The series last fetched, null before. */
  get data(): SeriesData | null {
    return this._data;
  }

  /** Shows the series of `jobId` (null: none). */
  bind(jobId: string | null): void {
    this._jobId = jobId;
    this._data = null;
    this._changed.emit();
    if (jobId) this.invalidate();
  }

  /** The series grew: fetch them again soon. */
  invalidate(): void {
    if (!this._jobId) return;
    this._stale = true;
    if (this._timer || this._loading) return;
    const wait = Math.max(0, this._lastAt + this._minIntervalMs - Date.now());
    this._timer = window.setTimeout(() => {
      this._timer = 0;
      void this._load();
    }, wait);
  }

  /** Stops; idempotent. */
  dispose(): void {
    window.clearTimeout(this._timer);
    this._jobId = null;
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    const jobId = this._jobId;
    if (!jobId || !this._stale) return;
    this._stale = false;
    this._loading = true;
    this._lastAt = Date.now();
    try {
      const data = await this._client().getSeries(jobId, {
        buckets: this._buckets
      });
      if (jobId === this._jobId) {
        this._data = data;
        this._changed.emit();
      }
    } catch {
      // Fetched again on the run's next change.
    } finally {
      this._loading = false;
      if (this._stale && jobId === this._jobId) this.invalidate();
    }
  }

  private _client: () => ApiClient;
  private _buckets: number;
  private _minIntervalMs: number;
  private _jobId: string | null = null;
  private _data: SeriesData | null = null;
  private _stale = false;
  private _loading = false;
  private _lastAt = 0;
  private _timer = 0;
  private _changed = new Signal<this, void>(this);
}

/** Statics of {@link SeriesModel}. */
export namespace SeriesModel {
  export interface IOptions {
    client: () => ApiClient;
    /** Most buckets per series (default 1000). */
    buckets?: number;
    /** Least time between two fetches (default 1 s). */
    minIntervalMs?: number;
  }
}
