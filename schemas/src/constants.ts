/** Mime type of the metrics display_data a kernel publishes after each call. */
export const METRICS_MIME_TYPE = 'application/vnd.jaxlab.metrics+json';

/**
 * Mime type of the display_data (and update_display_data) a kernel publishes
 * while a call runs: one batch of step metrics, a StepMetrics document.
 */
export const STEP_METRICS_MIME_TYPE =
  'application/vnd.jaxlab.step-metrics+json';

/** Name of the restricted kernel's spec. */
export const KERNEL_SPEC_NAME = 'jaxlab';

/** Display name of the restricted kernel's spec. */
export const KERNEL_DISPLAY_NAME = 'JAX (restricted)';

/** Functions a cell may call when a project names none. */
export const DEFAULT_DESIGNATED_FUNCTIONS: readonly string[] = Object.freeze([
  'main',
  'train_step'
]);

/** Every status a job can have, in the order a job goes through them. */
export const JOB_STATUSES = Object.freeze([
  'QUEUED',
  'COMPILING',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED'
] as const);

/** Statuses after which a job never changes again. */
export const FINAL_JOB_STATUSES = Object.freeze([
  'COMPLETED',
  'FAILED',
  'CANCELLED'
] as const);

/** Whether `status` is final. */
export function isFinalJobStatus(status: string): boolean {
  return (FINAL_JOB_STATUSES as readonly string[]).includes(status);
}
