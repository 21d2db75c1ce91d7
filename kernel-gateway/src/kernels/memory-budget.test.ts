import { describe, expect, it } from 'vitest';

import { MemoryBudget } from './memory-budget.js';

const GiB = 1024 ** 3;

describe('MemoryBudget', () => {
  it('should hold what fits, refuse what does not saying why, and fit again after a release', () => {
    const budget = new MemoryBudget(2.5 * GiB);
    const first = budget.hold(1 * GiB);
    budget.hold(1 * GiB);
    expect(budget.fits(1 * GiB)).toBe(false);
    expect(budget.fits(0.5 * GiB)).toBe(true);
    expect(() => budget.hold(1 * GiB)).toThrow(
      expect.objectContaining({
        code: 'KERNEL_LIMIT_REACHED',
        message: expect.stringMatching(
          /2\.5 GiB of memory in all; 2 kernel\(s\) hold 2 GiB of memory limits, and this kernel needs 1 GiB/
        )
      })
    );
    budget.release(first);
    expect(budget.availableBytes).toBe(1.5 * GiB);
    expect(budget.fits(1 * GiB, 2)).toBe(false);
    expect(budget.fits(0.75 * GiB, 2)).toBe(true);
  });
});
