import type { Job, Sweep, SweepTrial } from '@jaxlab/schemas';
import { metricValueOf } from '../experiments/metric-value.js';

/** Most times a trial is submitted again after its host went away. */
const MAX_LOST = 2;

/** What a trial becomes when its job has ended, and the change to record. */
export interface ITrialOutcome {
  to: SweepTrial['state'];
  patch: Partial<SweepTrial>;
}

/**
 * The outcome of `trial` whose `job` is final: COMPLETED with the target's
 * value; FAILED without one (`NO_TARGET_VALUE`) or with the job's failure;
 * PENDING again (its lost job remembered) when its host went away, at most
 * twice.
 */
export function trialOutcome(
  sweep: Sweep,
  trial: SweepTrial,
  job: Job
): ITrialOutcome {
  const metric = sweep.target.metric;
  const value = metricValueOf(job, metric);
  let patch: Partial<SweepTrial>;
  let to: SweepTrial['state'] = 'FAILED';
  if (job.status === 'COMPLETED' && value !== undefined) {
    to = 'COMPLETED';
    patch = { state: to, value };
  } else if (job.status === 'COMPLETED') {
    patch = {
      state: to,
      failure: {
        code: 'NO_TARGET_VALUE',
        message: `The run completed without a value of ${metric}: log it with jaxlab.log(${metric}=...) or print "Final ${metric}: <number>".`
      }
    };
  } else if (
    job.failure?.reason === 'HOST_LOST' &&
    (trial.lostJobIds?.length ?? 0) < MAX_LOST
  ) {
    // Its host went away mid-run: the trial has no outcome yet; run it again.
    to = 'PENDING';
    patch = {
      state: to,
      jobId: undefined,
      lostJobIds: [...(trial.lostJobIds ?? []), job.id]
    };
  } else {
    patch = {
      state: to,
      failure: {
        code: job.failure?.reason ?? job.status,
        message: job.failure?.message ?? `The run ended ${job.status}.`
      }
    };
  }
  return { to, patch };
}
