export { HttpError } from './http-error.js';
export { errorMiddleware, notFoundMiddleware } from './error-middleware.js';
export type { IErrorMiddlewareOptions } from './error-middleware.js';
export { DEFAULT_BODY_LIMIT_BYTES, jsonBody } from './json-body.js';
export {
  parseInteger,
  queryEnumList,
  queryInteger,
  queryString
} from './request-params.js';
export type { IIntegerParam } from './request-params.js';
export { LOCAL_USER, localUserAuth, ownerOf } from './request-user.js';
export { methodNotAllowedMiddleware } from './method-not-allowed.js';
