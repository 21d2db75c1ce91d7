export { createApp } from './app.js';
export type { IAppDeps } from './app.js';
export {
  LOCAL_USER,
  localUserAuth,
  methodNotAllowedMiddleware,
  ownerOf,
  parseInteger,
  queryEnumList,
  queryInteger,
  queryString
} from './http/index.js';
export type { IIntegerParam } from './http/index.js';
export {
  createJobsRouter,
  formatSseEvent,
  jobsOpenApi,
  resolveJobRequest,
  streamJobEvents
} from './jobs/index.js';
export type { IJobsRouterOptions, ISseStreamOptions } from './jobs/index.js';
export { createHostsRouter, hostsOpenApi } from './hosts/index.js';
export type { IHostsRouterOptions } from './hosts/index.js';
export {
  exportNotebook,
  notebookFileName,
  pythonCall,
  pythonLiteral
} from './notebook/index.js';
export type {
  INotebook,
  NotebookCell,
  NotebookOutput
} from './notebook/index.js';
export {
  PUBLIC,
  coreOpenApi,
  createOpenApiDocument,
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from './openapi/index.js';
export type { IOpenApiPart, OpenApiPaths } from './openapi/index.js';
export { SERVER_VERSION } from './version.js';
