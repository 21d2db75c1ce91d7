import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.js';

describe('TokenBucket.take()', () => {
  it('should keep separate buckets per key', () => {
    let now = 0;
    const b = new TokenBucket({
      capacity: 1,
      refillPerMinute: 60,
      now: () => now
    });
    expect(b.take('a').ok).toBe(true);
    expect(b.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(b.take('b').ok).toBe(true);
    now = 1000;
    expect(b.take('a').ok).toBe(true);
  });
});
