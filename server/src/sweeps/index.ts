export { createSweepsRouter } from './sweeps-router.js';
export type { ISweepsRouterOptions } from './sweeps-router.js';
export { SweepScheduler } from './sweep-scheduler.js';
export type { ISweepSchedulerOptions } from './sweep-scheduler.js';
export { materialiseTrials, mulberry32 } from './search-space.js';
export { median, medianStop } from './median-stopping.js';
export { bestTrial, sweepTag, trialTag } from './sweep-trials.js';
export { sweepsOpenApi } from './sweeps-openapi.js';
