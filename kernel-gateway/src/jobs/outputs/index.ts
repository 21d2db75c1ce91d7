export { collectOutputs } from './output-collector.js';
export type { ICollectOutputsOptions } from './output-collector.js';
export { DEFAULT_OUTPUT_LIMITS } from './output-limits.js';
export type { IOutputLimits } from './output-limits.js';
