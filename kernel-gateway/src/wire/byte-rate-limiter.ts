/**
 * A token bucket over bytes: `take(n)` spends n bytes and says how long to
 * wait before the next read so that, over time, at most `bytesPerSecond`
 * pass, with bursts up to `burstBytes`. Pure arithmetic on an injected
 * clock; it never sleeps itself.
 *
 * @example
 * ```ts
 * const limiter = new ByteRateLimiter({ bytesPerSecond: 32 << 20, burstBytes: 8 << 20 });
 * const waitMs = limiter.take(frame.length);
 * if (waitMs > 0) await sleep(waitMs);
 * ```
 */
export class ByteRateLimiter {
  constructor(options: ByteRateLimiter.IOptions) {
    this._rate = options.bytesPerSecond;
    this._burst = options.burstBytes;
    this._now = options.now ?? (() => performance.now());
    this._tokens = this._burst;
    this._lastMs = this._now();
  }

  /** Spends `bytes`; returns the milliseconds to wait before reading on (0: none). */
  take(bytes: number): number {
    const now = this._now();
    this._tokens = Math.min(
      this._burst,
      this._tokens + ((now - this._lastMs) * this._rate) / 1000
    );
    this._lastMs = now;
    this._tokens -= bytes;
    return this._tokens >= 0 ? 0 : (-this._tokens * 1000) / this._rate;
  }

  /** Sustained bytes per second from now on (the burst stays). */
  set bytesPerSecond(rate: number) {
    this.take(0);
    this._rate = rate;
  }

  private _rate: number;
  private readonly _burst: number;
  private readonly _now: () => number;
  private _tokens: number;
  private _lastMs: number;
}

/** Statics of {@link ByteRateLimiter}. */
export namespace ByteRateLimiter {
  /** Options of a {@link ByteRateLimiter}. */
  export interface IOptions {
    /** Sustained bytes per second. */
    bytesPerSecond: number;
    /** Bytes that may pass at once after a quiet spell. */
    burstBytes: number;
    /** Clock in milliseconds (default `performance.now`). */
    now?: () => number;
  }
}
