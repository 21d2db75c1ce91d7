export { createArtifactsRouter } from './artifacts-router.js';
export type { IArtifactsRouterOptions } from './artifacts-router.js';
export { artifactsOpenApi } from './artifacts-openapi.js';
