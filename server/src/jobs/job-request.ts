import type { JobCreate, Project } from '@jaxlab/schemas';
import {
  DEFAULT_DESIGNATED_FUNCTIONS,
  assertValid,
  checkProjectFiles,
  validateRequirements
} from '@jaxlab/schemas';
import type { IJobs, IProjects } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { checkFilePaths } from '../projects/index.js';

/**
 * Turns the body of `POST /api/jobs` into what the store writes: validates
 * it against the `job-create` schema, then takes from the owner's project
 * (when `projectId` is given) what the body leaves out: the accelerator,
 * the time limit and the entrypoint (`main` when designated, else the
 * project's first designated function). The entrypoint must be one of the
 * project's designated functions (without a project: `main`, `train_step`).
 * Code, the other files and requirements are copied, so later edits never
 * change the run.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` (schema, or an entrypoint
 *   that is not designated, listing the allowed ones); 400
 *   `REQUIREMENTS_REJECTED` naming the first requirements.txt line a job
 *   could not install from, and the rule it breaks (the gateway checks
 *   again before it installs); 400 `PROJECT_FILE_REJECTED` naming a file
 *   whose path or size a project may not have; 404 `PROJECT_NOT_FOUND` for a project that
 *   is missing or another user's.
 */
export async function resolveJobRequest(
  projects: IProjects,
  owner: string,
  body: unknown
): Promise<IJobs.ICreate> {
  const said = new Set(
    body !== null && typeof body === 'object' ? Object.keys(body) : []
  );
  const input: unknown = body ?? {};
  checkFilePaths(input);
  assertValid('job-create', input, 'job');
  const request: JobCreate = input;
  validateRequirements(request.requirements ?? '');
  checkProjectFiles(request.files ?? [], {
    mainPy: request.code,
    requirements: request.requirements
  });
  let project: Project | null = null;
  if (request.projectId) {
    project = await projects.get(request.projectId, owner);
    if (!project) {
      throw new HttpError(
        'PROJECT_NOT_FOUND',
        `No project ${request.projectId}`,
        {
          hint: 'List your projects with GET /api/projects, or leave projectId out.'
        }
      );
    }
  }
  const designated =
    project?.designatedFunctions ?? DEFAULT_DESIGNATED_FUNCTIONS;
  const entrypoint = said.has('entrypoint')
    ? request.entrypoint!
    : designated.includes('main')
      ? 'main'
      : designated[0];
  if (!designated.includes(entrypoint)) {
    throw new HttpError(
      'INVALID_REQUEST',
      `'${entrypoint}' is not a designated function`,
      {
        hint: `Call one of: ${designated.join(', ')}.`,
        details: { allowed: [...designated] }
      }
    );
  }
  const timeLimitMs = said.has('timeLimitMs')
    ? request.timeLimitMs
    : project?.timeLimitMs;
  const created: IJobs.ICreate = {
    projectId: project?.id ?? null,
    code: request.code,
    files: request.files ?? [],
    requirements: request.requirements ?? '',
    entrypoint,
    args: request.args ?? {},
    accelerator: said.has('accelerator')
      ? request.accelerator!
      : (project?.accelerator ?? 'cpu'),
    deviceCount: request.deviceCount ?? 1,
    profile: request.profile ?? false
  };
  if (timeLimitMs !== undefined) created.timeLimitMs = timeLimitMs;
  if (request.name) created.name = request.name;
  if (request.tags?.length) created.tags = request.tags;
  if (request.notes) created.notes = request.notes;
  return created;
}
