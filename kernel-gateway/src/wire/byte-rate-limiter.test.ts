import { describe, expect, it } from 'vitest';

import { ByteRateLimiter } from './byte-rate-limiter.js';

describe('ByteRateLimiter.take()', () => {
  it('should let a burst through, then ask to wait in proportion to the excess', () => {
    let now = 0;
    const limiter = new ByteRateLimiter({
      bytesPerSecond: 1000,
      burstBytes: 500,
      now: () => now
    });
    expect(limiter.take(500)).toBe(0);
    expect(limiter.take(250)).toBe(250); // 250 bytes over at 1000 B/s
    now += 250;
    expect(limiter.take(0)).toBe(0);
  });

  it('should refill at its rate but never above its burst', () => {
    let now = 0;
    const limiter = new ByteRateLimiter({
      bytesPerSecond: 1000,
      burstBytes: 500,
      now: () => now
    });
    limiter.take(500);
    now += 10_000; // a long quiet spell refills only up to the burst
    expect(limiter.take(500)).toBe(0);
    expect(limiter.take(100)).toBe(100);
  });
});
