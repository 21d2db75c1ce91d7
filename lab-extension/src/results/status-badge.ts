import type { JobPhase, JobStatus } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';

/** Words for each status, through the translator. */
export function statusLabel(
  trans: TranslationBundle,
  status: JobStatus | null
): string {
  switch (status) {
    case 'QUEUED':
      return trans.__('Queued');
    case 'COMPILING':
      return trans.__('Compiling');
    case 'RUNNING':
      return trans.__('Running');
    case 'COMPLETED':
      return trans.__('Completed');
    case 'FAILED':
      return trans.__('Failed');
    case 'CANCELLED':
      return trans.__('Cancelled');
    default:
      return trans.__('No run');
  }
}

/**
 * What a run is doing now, by its real phase: while the status is
 * COMPILING the gateway is building the requirements environment or
 * starting the kernel, not compiling (JAX compiles inside the call).
 */
export function runStateLabel(
  trans: TranslationBundle,
  status: JobStatus | null,
  phases: readonly JobPhase[] = []
): string {
  if (status === 'COMPILING') {
    switch (phases[phases.length - 1]?.phase) {
      case 'environment':
        return trans.__('Environment');
      case 'kernel':
        return trans.__('Starting kernel');
      default:
        return trans.__('Starting');
    }
  }
  return statusLabel(trans, status);
}

/**
 * Fill `node` as a status badge: the run's state word (`runStateLabel`),
 * coloured by the `data-status` attribute (see style/results.css).
 */
export function renderStatusBadge(
  node: HTMLElement,
  trans: TranslationBundle,
  status: JobStatus | null,
  phases: readonly JobPhase[] = []
): void {
  node.classList.add('jp-jaxlab-StatusBadge');
  node.dataset.status = status ?? 'NONE';
  node.textContent = runStateLabel(trans, status, phases).toUpperCase();
}
