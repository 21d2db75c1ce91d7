import type { Failure, Job, Metrics } from '@jaxlab/schemas';
import { failureOf, isJaxLabError, KERNEL_ERROR_NAMES } from '@jaxlab/schemas';

import type { IJobFolderUsage } from '../../sandbox/job-folder.js';

// The failures of a job that the gateway decides from what it saw: the
// error the call raised, the devices, the folder's quota, the time limit,
// its own errors (how the kernel's process ended: kernel-exit-failure.ts).

/**
 * Why a call that raised `error` failed: the harness's own errors by the
 * names the shared table gives them, memory exhaustion, else the user's
 * error. A device check (`KERNEL_ERROR_NAMES.deviceUnavailable`, see
 * {@link deviceNotInSandboxFailure}) and a KeyboardInterrupt are the
 * caller's to decide.
 */
export function failureOfCallError(
  error: { ename: string; evalue: string },
  job: Pick<Job, 'entrypoint' | 'accelerator'>
): Failure {
  const { ename, evalue } = error;
  const { entrypoint } = job;
  const summary = `${ename}: ${evalue}`.slice(0, 3000);
  switch (ename) {
    case KERNEL_ERROR_NAMES.loadRejected:
      return failureOf('loadRejected', { evalue });
    case KERNEL_ERROR_NAMES.loadError:
      return failureOf('loadError', { evalue });
    case KERNEL_ERROR_NAMES.functionNotDefined:
      return failureOf('functionNotDefined', { entrypoint, evalue });
    case KERNEL_ERROR_NAMES.callNotAllowed:
      return failureOf('callNotAllowed', { entrypoint, evalue });
  }
  if (
    ename === 'MemoryError' ||
    /RESOURCE_EXHAUSTED|[Oo]ut of memory/.test(evalue)
  ) {
    return /RESOURCE_EXHAUSTED/.test(evalue)
      ? failureOf('outOfDeviceMemory', {
          accelerator: job.accelerator,
          summary
        })
      : failureOf('outOfMemory', { summary });
  }
  return failureOf('userError', { entrypoint, summary });
}

/**
 * The kernel's device check failed: nothing of main.py ran. Says what JAX
 * saw (`saw`), on which host, and where the accelerator can be found
 * (`others`: other live hosts offering it).
 */
export function deviceNotInSandboxFailure(
  job: Pick<Job, 'accelerator' | 'deviceCount'>,
  host: string,
  others: string[],
  saw: string
): Failure {
  const where = others.length
    ? `, or wait for a host that has one: ${others.slice(0, 5).join(', ')}`
    : `, or ask the administrator of host ${host} to check its ${job.accelerator} driver and the devices passed to the sandbox (docs/sandbox.md)`;
  const count = job.deviceCount ?? 1;
  return failureOf('deviceNotInSandbox', {
    accelerator: job.accelerator,
    times: count > 1 ? ` × ${count}` : '',
    host,
    saw,
    where
  });
}

/**
 * A job that asked for tpu/gpu must not silently have run on the CPU: a
 * misconfiguration only JAX inside the kernel can reveal, so here the
 * kernel's report counts (a program lying about it fools only itself).
 */
export function deviceNotSeenFailure(
  job: Pick<Job, 'accelerator'>,
  reported: Metrics['kernelReportedDevice']
): Failure | undefined {
  const platform = reported?.platform;
  if (job.accelerator !== 'cpu' && platform && platform !== job.accelerator) {
    return failureOf('deviceNotSeen', {
      accelerator: job.accelerator,
      platform,
      count: reported!.count
    });
  }
  return undefined;
}

/** The job's folder is full (`usage`). */
export function diskQuotaFailure(usage: IJobFolderUsage): Failure {
  return failureOf('diskQuota', {
    quota:
      usage.usedFiles >= usage.maxFiles
        ? `${usage.maxFiles} files`
        : formatMiB(usage.maxBytes),
    used: formatMiB(usage.usedBytes),
    files: usage.usedFiles
  });
}

/** The call ran past the job's time limit. */
export function timeLimitFailure(timeLimitMs: number): Failure {
  return failureOf('timeLimit', { limit: formatDuration(timeLimitMs) });
}

/** An error of the gateway itself (a bug, a store that failed) ended the job. */
export function gatewayErrorFailure(error: unknown): Failure {
  const failure = failureOf('gatewayError', {
    error: error instanceof Error ? error.message : String(error)
  });
  // The error's own hint says more than the generic one.
  if (isJaxLabError(error)) failure.hint = error.hint.slice(0, 1000);
  return failure;
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
