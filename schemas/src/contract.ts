// The runtime-free entry, `@jaxlab/schemas/contract`: the contract's types,
// constants, error codes and hints, the failure table and the precompiled
// shape checks. Nothing here imports ajv, so a browser bundle may use it;
// the ajv validators are in the full entry (`@jaxlab/schemas`).
export type * from './generated/types.js';
export {
  HTTP_STATUS_OF_CODE,
  JAXLAB_ERROR_CODES,
  JAXLAB_ERROR_HINTS,
  JaxLabError,
  isJaxLabError
} from './errors.js';
export type { IJaxLabErrorOptions, JaxLabErrorCode } from './errors.js';
export {
  DEFAULT_DESIGNATED_FUNCTIONS,
  FINAL_JOB_STATUSES,
  JOB_STATUSES,
  KERNEL_DISPLAY_NAME,
  KERNEL_SPEC_NAME,
  METRICS_MIME_TYPE,
  STEP_METRICS_MIME_TYPE,
  isFinalJobStatus
} from './constants.js';
export { pythonCall, pythonLiteral } from './python-call.js';
export { KERNEL_ERROR_NAMES, failureOf } from './failures.js';
export { formatBytes } from './format-bytes.js';
export {
  PROJECT_FILE_EXTENSIONS,
  PROJECT_FILE_LIMITS,
  PROJECT_OWN_FILES,
  checkProjectFilePath,
  checkProjectFiles,
  isProjectOwnFile,
  projectFilePathProblem,
  utf8Bytes
} from './project-files.js';
export type {
  IProjectFileProblem,
  IProjectOwnTexts,
  ProjectOwnFilePath
} from './project-files.js';
export type { FailureId, FailureParams } from './failures.js';
export { SHAPE_NAMES, hasShape, shapeErrors } from './shape-check.js';
export type { ShapeName } from './shape-check.js';
export { deviceBadge, runtimeVersions } from './device-badge.js';
