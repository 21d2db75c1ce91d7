import type { JobStatus } from '@jaxlab/schemas';
import { JaxLabError, isFinalJobStatus } from '@jaxlab/schemas';

/** The error for a job that does not exist. */
export function jobNotFound(jobId: string): JaxLabError {
  return new JaxLabError('JOB_NOT_FOUND', `No job ${jobId}.`, {
    hint: 'Check the job id; list jobs with GET /api/jobs.'
  });
}

/**
 * Whether a host (or, without `hostId`, anyone) may append to a job now.
 * Shared by both backends so they refuse identically.
 *
 * @throws JaxLabError `LEASE_LOST` when `hostId` does not hold the job (or
 *   its lease lapsed and it failed HOST_LOST), `JOB_FINISHED` when final.
 */
export function checkAppendAllowed(
  jobId: string,
  job: {
    status: JobStatus;
    leaseHolder: string | null;
    failure: string | null | { reason: string };
  },
  hostId: string | undefined
): void {
  const failure =
    typeof job.failure === 'string'
      ? (JSON.parse(job.failure) as { reason: string })
      : job.failure;
  const lostLease =
    hostId !== undefined &&
    (job.leaseHolder !== hostId || failure?.reason === 'HOST_LOST');
  if (isFinalJobStatus(job.status) && !lostLease) {
    throw new JaxLabError(
      'JOB_FINISHED',
      `Job ${jobId} already ended ${job.status}; no more events can be added.`,
      { hint: 'A finished job never changes; start a new job instead.' }
    );
  }
  if (lostLease) {
    throw new JaxLabError(
      'LEASE_LOST',
      `Host ${hostId} no longer holds the lease of job ${jobId}.`,
      {
        hint: 'Stop running the job; its lease lapsed or another host holds it.'
      }
    );
  }
}
