import type { JobSummary } from '@jaxlab/schemas/contract';
import { pythonCall } from '@jaxlab/schemas/contract';
import { formatValue } from '../metrics/metrics-format.js';
import { shortJobId } from './job-label.js';

/** How lists and legends name a run: its name, else its call and id. */
export function runLabel(
  job: Pick<JobSummary, 'id' | 'name' | 'entrypoint' | 'args'>
): string {
  return (
    job.name ||
    `${pythonCall(job.entrypoint, job.args)} · ${shortJobId(job.id)}`
  );
}

/**
 * The run's headline numbers for a list: the last value of its first two
 * step series, else its first two run values (Final lines).
 */
export function headlineMetrics(
  job: Pick<JobSummary, 'series' | 'metrics'>
): string {
  const series = Object.entries(job.series ?? {})
    .slice(0, 2)
    .map(
      ([name, s]) =>
        `${name} ${formatValue(name, s.last).replace(/ \(.*\)$/, '')}`
    );
  if (series.length) return series.join(' · ');
  return Object.entries(job.metrics?.values ?? {})
    .slice(0, 2)
    .map(
      ([name, v]) => `${name} ${formatValue(name, v).replace(/ \(.*\)$/, '')}`
    )
    .join(' · ');
}
