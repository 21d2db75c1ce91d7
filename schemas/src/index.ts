export type * from './generated/types.js';
export { SCHEMA_DOCUMENTS } from './generated/schema-documents.js';
export {
  assertValid,
  isValid,
  schemaId,
  validationErrors
} from './validate.js';
export type { ISchemaTypes, SchemaName } from './validate.js';
export {
  HTTP_STATUS_OF_CODE,
  JAXLAB_ERROR_CODES,
  JaxLabError,
  isJaxLabError
} from './errors.js';
export type { IJaxLabErrorOptions, JaxLabErrorCode } from './errors.js';
export {
  DEFAULT_DESIGNATED_FUNCTIONS,
  FINAL_JOB_STATUSES,
  KERNEL_DISPLAY_NAME,
  KERNEL_SPEC_NAME,
  METRICS_MIME_TYPE,
  isFinalJobStatus
} from './constants.js';
