export {
  parseInteger,
  queryEnumList,
  queryInteger,
  queryString
} from './request-params.js';
export type { IIntegerParam } from './request-params.js';
export { ownerOf } from './request-user.js';
export { methodNotAllowedMiddleware } from './method-not-allowed.js';
