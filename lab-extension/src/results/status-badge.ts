import type { JobStatus } from '@jaxlab/schemas/contract';
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
 * Fill `node` as a status badge: the status word, coloured by the
 * `data-status` attribute (see style/base.css).
 */
export function renderStatusBadge(
  node: HTMLElement,
  trans: TranslationBundle,
  status: JobStatus | null
): void {
  node.classList.add('jp-jaxlab-StatusBadge');
  node.dataset.status = status ?? 'NONE';
  node.textContent = statusLabel(trans, status).toUpperCase();
}
