export {
  MAX_COMPARED_RUNS,
  createExperimentsRouter
} from './experiments-router.js';
export type { IExperimentsRouterOptions } from './experiments-router.js';
export { experimentsOpenApi } from './experiments-openapi.js';
export { compareRuns } from './run-comparison.js';
export { createBaselinesRouter } from './baselines-router.js';
export type { IBaselinesRouterOptions } from './baselines-router.js';
export { baselinesOpenApi } from './baselines-openapi.js';
export { RegressionChecker } from './regression-checker.js';
export type { IRegressionCheckerOptions } from './regression-checker.js';
export { checkRegression, checkMetric } from './regression-check.js';
export { metricValueOf } from './metric-value.js';
