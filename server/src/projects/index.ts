export { createProjectsRouter } from './projects-router.js';
export type { IProjectsRouterOptions } from './projects-router.js';
export {
  DEFAULT_TIME_LIMIT_MS,
  withProjectDefaults
} from './project-defaults.js';
export { projectsOpenApi } from './projects-openapi.js';
export { checkFilePaths } from './project-file-changes.js';
