import { describe, expect, it } from 'vitest';
import { assertValid, isJaxLabError, JaxLabError } from './index.js';

describe('assertValid()', () => {
  it('should fill in defaults of a job request', () => {
    const body: Record<string, unknown> = { code: 'def main():\n  pass\n' };
    assertValid('job-create', body);
    expect(body).toMatchObject({
      entrypoint: 'main',
      accelerator: 'cpu',
      requirements: '',
      args: {}
    });
  });

  it('should throw INVALID_REQUEST naming the offending field', () => {
    let error: unknown;
    try {
      assertValid('job-create', { code: 'x', accelerator: 'quantum' });
    } catch (e) {
      error = e;
    }
    expect(isJaxLabError(error)).toBe(true);
    expect((error as JaxLabError).code).toBe('INVALID_REQUEST');
    expect((error as JaxLabError).httpStatus).toBe(400);
    expect((error as JaxLabError).details).toEqual(
      expect.arrayContaining([expect.stringContaining('/accelerator')])
    );
  });

  it('should reject metrics that are not finite numbers', () => {
    const metrics = {
      compilationTimeMs: Number.POSITIVE_INFINITY,
      executionTimeMs: 1,
      values: {},
      device: { platform: 'cpu', count: 1 }
    };
    expect(() => assertValid('metrics', metrics)).toThrow(JaxLabError);
  });
});
