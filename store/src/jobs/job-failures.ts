import type { Failure } from '@jaxlab/schemas';

/** The failure of a job whose host stopped renewing its lease. */
export function hostLostFailure(host: string | undefined): Failure {
  return {
    reason: 'HOST_LOST',
    message: `The gateway host ${host ?? '(unknown)'} running this job stopped renewing its lease; it probably crashed or lost its connection.`,
    hint: 'Run the job again; if it keeps happening, check the gateway host.'
  };
}

/** The failure of a job cancelled before any host claimed it. */
export function cancelledWhileQueuedFailure(): Failure {
  return {
    reason: 'CANCELLED',
    message: 'The job was cancelled before it started.',
    hint: 'Submit it again to run it.'
  };
}
