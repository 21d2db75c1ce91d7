import type { Project, ProjectWrite } from '@jaxlab/schemas';
import { DEFAULT_DESIGNATED_FUNCTIONS } from '@jaxlab/schemas';
import { newTimeOrderedId } from '../jobs/time-ordered-id.js';

/** Run time limit of a project that names none: ten minutes. */
export const DEFAULT_PROJECT_TIME_LIMIT_MS = 600_000;

/** A new project document with a new time-ordered id: the input over the defaults. */
export function newProject(
  owner: string,
  input: ProjectWrite & { name: string },
  now: Date = new Date()
): Project {
  const time = now.toISOString();
  const project: Project = {
    id: newTimeOrderedId(now.getTime()),
    owner,
    name: input.name,
    readme: input.readme ?? '',
    mainPy: input.mainPy ?? '',
    requirements: input.requirements ?? '',
    files: input.files ?? [],
    designatedFunctions: input.designatedFunctions ?? [
      ...DEFAULT_DESIGNATED_FUNCTIONS
    ],
    accelerator: input.accelerator ?? 'cpu',
    timeLimitMs: input.timeLimitMs ?? DEFAULT_PROJECT_TIME_LIMIT_MS,
    logRetentionDays: input.logRetentionDays ?? null,
    createdAt: time,
    updatedAt: time
  };
  if (input.sample !== undefined) project.sample = input.sample;
  return project;
}

/** A stored project as the API shows it: projects from before files have none. */
export function storedProject(project: Project): Project {
  return project.files ? project : { ...project, files: [] };
}

/** The project with `patch` applied (undefined fields leave it unchanged). */
export function patchProject(
  project: Project,
  patch: ProjectWrite,
  now: Date
): Project {
  const next: Project = { ...project };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) {
      (next as unknown as Record<string, unknown>)[key] = value;
    }
  }
  next.id = project.id;
  next.owner = project.owner;
  next.createdAt = project.createdAt;
  next.updatedAt = now.toISOString();
  return next;
}
