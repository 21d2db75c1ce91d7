/**
 * @jaxlab/http: the one HTTP error layer of the server and the kernel
 * gateway, as hono has one `HTTPException` and one error handler.
 *
 * @packageDocumentation
 */
export { HttpError } from './http-error.js';
export { errorMiddleware, notFoundMiddleware } from './error-middleware.js';
export type { IErrorMiddlewareOptions } from './error-middleware.js';
export { DEFAULT_BODY_LIMIT_BYTES, jsonBody } from './json-body.js';
export { operationsRouter } from './operations-router.js';
export type {
  IMetricsSource,
  IOperationsOptions,
  ReadinessCheck
} from './operations-router.js';
