export { createOpenApiDocument } from './openapi-document.js';
export type { IOpenApiOptions, IOpenApiPart } from './openapi-document.js';
export {
  PUBLIC,
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from './openapi-builders.js';
export type { OpenApiPaths } from './openapi-builders.js';
export { componentRef, schemaComponents } from './schema-components.js';
export type { JsonSchema } from './schema-components.js';
export { coreOpenApi } from './core-openapi.js';
