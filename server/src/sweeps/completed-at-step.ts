import type { Sweep } from '@jaxlab/schemas';
import type { ISeries } from '@jaxlab/store';

/**
 * The values of `metric` the sweep's completed trials had at `step` (the
 * last each logged up to there), of the trials that logged that far: what
 * the median stopping rule compares a running trial with.
 */
export async function completedValuesAt(
  series: ISeries,
  sweep: Sweep,
  metric: string,
  step: number
): Promise<number[]> {
  const atStep: number[] = [];
  for (const other of sweep.trials) {
    if (other.state !== 'COMPLETED' || !other.jobId) continue;
    const [bucketed] = await series.read(other.jobId, {
      names: [metric],
      buckets: 1,
      toStep: step
    });
    // One bucket up to `step`: its last point is the completed trial's
    // value at the largest step it logged up to there; only trials that
    // logged that far count.
    const last = bucketed?.last.at(-1);
    if (
      last !== undefined &&
      (await reached(series, other.jobId, metric, step))
    ) {
      atStep.push(last);
    }
  }
  return atStep;
}

async function reached(
  series: ISeries,
  jobId: string,
  metric: string,
  step: number
): Promise<boolean> {
  const summary = await series.summary(jobId);
  return (summary[metric]?.lastStep ?? -1) >= step;
}
