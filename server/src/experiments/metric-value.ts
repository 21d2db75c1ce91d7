import type { Job } from '@jaxlab/schemas';

/**
 * A run's value of a metric as leaderboards, baselines and sweeps read it:
 * the last value of its step series of that name, else the run value
 * (`Final <name>:` line or returned number); undefined when it has neither.
 * Both store backends rank by the same rule.
 */
export function metricValueOf(
  job: Pick<Job, 'series' | 'metrics'>,
  name: string
): number | undefined {
  return job.series?.[name]?.last ?? job.metrics?.values[name];
}
