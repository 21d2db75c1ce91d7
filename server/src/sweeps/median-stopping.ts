import type { MetricDirection } from '@jaxlab/schemas';

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The median stopping rule: stop a running trial whose value at step s is
 * worse (by `direction`) than the median of the completed trials' values
 * at s, once at least `minCompleted` of them reached s. Answers the median
 * when the trial should stop, else null.
 */
export function medianStop(
  direction: MetricDirection,
  value: number,
  completedAtStep: readonly number[],
  minCompleted: number
): number | null {
  if (completedAtStep.length < Math.max(1, minCompleted)) return null;
  const mid = median(completedAtStep);
  const worse = direction === 'min' ? value > mid : value < mid;
  return worse ? mid : null;
}
