export {
  MAX_COMPARED_RUNS,
  createExperimentsRouter
} from './experiments-router.js';
export type { IExperimentsRouterOptions } from './experiments-router.js';
export { experimentsOpenApi } from './experiments-openapi.js';
export { compareRuns } from './run-comparison.js';
