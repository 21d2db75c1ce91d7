export { SAMPLE_PROBLEMS, loadSample } from './sample-catalog.js';
export type { ISample } from './sample-catalog.js';
export { seedSampleProjects } from './seed-samples.js';
export { createSamplesRouter } from './samples-router.js';
export { samplesOpenApi } from './samples-openapi.js';
