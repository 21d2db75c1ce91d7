import { describe, expect, it } from 'vitest';
import { smoothValues } from './smoothing.js';

describe('smoothValues()', () => {
  it('should leave values alone at weight 0 and keep a constant constant', () => {
    expect(smoothValues([3, 1, 2], 0)).toEqual([3, 1, 2]);
    for (const v of smoothValues([5, 5, 5, 5], 0.95)) expect(v).toBeCloseTo(5);
  });

  it('should damp noise, keep gaps and start at the first value (debiased)', () => {
    const noisy = Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : -1));
    const smooth = smoothValues([...noisy, null, 1], 0.9);
    expect(smooth[0]).toBeCloseTo(-1);
    expect(Math.abs(smooth[199]!)).toBeLessThan(0.1);
    expect(smooth[200]).toBeNull();
    expect(smooth[201]).toBeGreaterThan(smooth[199]!);
  });
});
