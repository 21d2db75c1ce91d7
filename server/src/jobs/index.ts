export { createJobsRouter } from './jobs-router.js';
export type { IJobsRouterOptions } from './jobs-router.js';
export { resolveJobRequest } from './job-request.js';
export { jobSummaryView, jobView } from './job-view.js';
export {
  SSE_HEARTBEAT_MS,
  formatSseEvent,
  streamJobEvents
} from './sse-stream.js';
export type { ISseStreamOptions } from './sse-stream.js';
export { jobsOpenApi } from './jobs-openapi.js';
