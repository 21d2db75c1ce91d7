import type { RequestHandler } from 'express';
import { JaxLabError } from '@jaxlab/schemas';

/** Options of {@link TokenBucket}. */
export interface ITokenBucketOptions {
  /** Most tokens a key can hold (the burst). */
  capacity: number;
  /** Tokens added per minute. */
  refillPerMinute: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
}

/**
 * Per-key token buckets: each key holds up to `capacity` tokens, refilled
 * continuously at `refillPerMinute`; each `take` spends one.
 */
export class TokenBucket {
  constructor(options: ITokenBucketOptions) {
    this._capacity = options.capacity;
    this._perMs = options.refillPerMinute / 60_000;
    this._now = options.now ?? Date.now;
  }

  /** Spends a token of `key`; when none is left, how long until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this._now();
    const b = this._buckets.get(key) ?? { tokens: this._capacity, at: now };
    b.tokens = Math.min(this._capacity, b.tokens + (now - b.at) * this._perMs);
    b.at = now;
    this._buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / this._perMs) };
  }

  private _capacity: number;
  private _perMs: number;
  private _now: () => number;
  private _buckets = new Map<string, { tokens: number; at: number }>();
}

/** Options of {@link createJobRateLimit}. */
export interface IJobRateLimitOptions extends Partial<ITokenBucketOptions> {
  /** Requests limited: method and exact path (default POST /api/jobs). */
  method?: string;
  path?: string;
}

/**
 * Rate limit of job creation per signed-in user (token bucket, default 30
 * burst, 30 per minute): past it, 429 `RATE_LIMITED` with `Retry-After`
 * (seconds). Must run after the auth middleware (it keys on `req.user`).
 */
export function createJobRateLimit(
  options: IJobRateLimitOptions = {}
): RequestHandler {
  const bucket = new TokenBucket({
    capacity: options.capacity ?? 30,
    refillPerMinute: options.refillPerMinute ?? 30,
    now: options.now
  });
  const method = options.method ?? 'POST';
  const path = options.path ?? '/api/jobs';
  return (req, res, next) => {
    const url = (req.originalUrl ?? req.url).split('?')[0].replace(/\/$/, '');
    if (req.method !== method || url !== path || !req.user) return next();
    const r = bucket.take(req.user.id);
    if (r.ok) return next();
    const seconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
    res.set('Retry-After', String(seconds));
    next(
      new JaxLabError(
        'RATE_LIMITED',
        `Too many jobs started; try again in ${seconds} s`,
        {
          hint: 'Wait for the Retry-After interval before starting more jobs.'
        }
      )
    );
  };
}
