// The full entry, `@jaxlab/schemas`: the contract (see ./contract.ts) plus
// what needs ajv or is for servers only: the schema documents, validators
// that fill in defaults, and the requirements.txt validator.
export * from './contract.js';
export { SCHEMA_DOCUMENTS } from './generated/schema-documents.js';
export {
  assertValid,
  isValid,
  schemaId,
  validationErrors
} from './validate.js';
export {
  MAX_REQUIREMENTS,
  validateRequirements
} from './requirements/requirements-validator.js';
export type { IValidatedRequirements } from './requirements/requirements-validator.js';
export {
  formatRequirement,
  normalizeProjectName
} from './requirements/requirement.js';
export type { IRequirement } from './requirements/requirement.js';
export { deviceBadge, runtimeVersions } from './device-badge.js';
