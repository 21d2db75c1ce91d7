export {
  formatRequirement,
  MAX_REQUIREMENTS,
  normalizeProjectName,
  validateRequirements
} from './requirements/requirements-validator.js';
export type {
  IRequirement,
  IValidatedRequirements
} from './requirements/requirements-validator.js';
export {
  EnvironmentBuilder,
  readInstalledPackages
} from './requirements/environment-builder.js';
export type { IRequirementsEnvironment } from './requirements/environment-builder.js';
export { pipSandboxArgv } from './requirements/pip-sandbox.js';
export type { IPipSandboxOptions } from './requirements/pip-sandbox.js';
export { hostConstraints, inspectHostPython } from './host/host-python.js';
export type { IHostPython } from './host/host-python.js';
