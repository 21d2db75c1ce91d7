import type { Failure } from '@jaxlab/schemas';
import { failureOf } from '@jaxlab/schemas';

/** The failure of a job whose host stopped renewing its lease. */
export function hostLostFailure(host: string | undefined): Failure {
  return failureOf('hostLost', { host: host ?? '(unknown)' });
}

/** The failure of a job cancelled before any host claimed it. */
export function cancelledWhileQueuedFailure(): Failure {
  return failureOf('cancelledWhileQueued');
}
