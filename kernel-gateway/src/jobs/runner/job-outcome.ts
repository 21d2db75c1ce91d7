import type { Failure, JobStatus } from '@jaxlab/schemas';

/**
 * How a job ended, as the runner decided. `lost`: the lease is gone, write
 * nothing; `requeued`: handed back to the queue for another host.
 */
export type JobOutcome =
  | { status: Extract<JobStatus, 'COMPLETED'> }
  | { status: Extract<JobStatus, 'FAILED' | 'CANCELLED'>; failure: Failure }
  | { status: 'lost' }
  | { status: 'requeued' };

/** The outcome of a job that ends with `failure`. */
export function ended(
  failure: Failure
): Extract<JobOutcome, { failure: Failure }> {
  return {
    status: failure.reason === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
    failure
  };
}

/** A REQUIREMENTS_REJECTED error (the validator's or pip's) as the job's end. */
export function rejected(error: {
  message: string;
  hint: string;
}): Extract<JobOutcome, { failure: Failure }> {
  return ended({
    reason: 'REQUIREMENTS_REJECTED',
    message: error.message.slice(0, 4000),
    hint: error.hint.slice(0, 1000)
  });
}
