import type {
  Baseline,
  BaselineMetric,
  Job,
  RegressionCheck,
  RegressionVerdict
} from '@jaxlab/schemas';
import { metricValueOf } from './metric-value.js';

/**
 * How much worse than the baseline a metric may get: the absolute amount,
 * or the relative share of the baseline's magnitude.
 */
export function allowedWorsening(metric: BaselineMetric): number {
  const { kind, value } = metric.tolerance;
  return kind === 'absolute' ? value : value * Math.abs(metric.value);
}

/** One metric of a run against the baseline's value of it. */
export function checkMetric(
  metric: BaselineMetric,
  value: number | undefined
): RegressionCheck {
  const { name, direction, tolerance } = metric;
  const allowed = allowedWorsening(metric);
  if (value === undefined) {
    return {
      name,
      direction,
      tolerance,
      baseline: metric.value,
      value: null,
      worseBy: null,
      allowed,
      outcome: 'missing'
    };
  }
  const worseBy = Math.max(
    0,
    direction === 'min' ? value - metric.value : metric.value - value
  );
  return {
    name,
    direction,
    tolerance,
    baseline: metric.value,
    value,
    worseBy,
    allowed,
    // A hair of float noise over the allowance still passes.
    outcome: worseBy > allowed * (1 + 1e-12) ? 'regressed' : 'pass'
  };
}

/**
 * A finished run checked against its project's baseline: `regressed` when
 * any metric is worse than its tolerance allows, else `missing` when the
 * run lacks one, else `pass`.
 */
export function checkRegression(
  baseline: Baseline,
  job: Pick<Job, 'series' | 'metrics'>,
  now: Date
): RegressionVerdict {
  const checks = baseline.metrics.map(metric =>
    checkMetric(metric, metricValueOf(job, metric.name))
  );
  const verdict = checks.some(c => c.outcome === 'regressed')
    ? 'regressed'
    : checks.some(c => c.outcome === 'missing')
      ? 'missing'
      : 'pass';
  return {
    verdict,
    baselineJobId: baseline.jobId,
    baselineSetAt: baseline.createdAt,
    checkedAt: now.toISOString(),
    checks
  };
}
