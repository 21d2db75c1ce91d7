import type { Project, ProjectFile, ProjectWrite } from '@jaxlab/schemas';
import {
  JaxLabError,
  PROJECT_OWN_FILES,
  checkProjectFilePath,
  checkProjectFiles,
  isProjectOwnFile,
  validateRequirements
} from '@jaxlab/schemas';

/**
 * One change of a project's files, by path: `main.py`, `README.md` and
 * `requirements.txt` are the project's own files (written, never moved or
 * deleted); every other path is one of `files`.
 */
export type ProjectFileChange =
  | { kind: 'write'; path: string; content: string }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'delete'; path: string };

/**
 * The fields that make `change` of `project`, after checking the result
 * the way every save is checked ({@link checkProjectWrite}). Pure, so the
 * store may run it again when another change won a race.
 *
 * @throws JaxLabError `PROJECT_FILE_REJECTED` (a path or limit rule, or
 *   moving or deleting an own file), `NOT_FOUND` (no such file), `CONFLICT`
 *   (a move onto a file that exists), `REQUIREMENTS_REJECTED`.
 */
export function applyFileChange(
  project: Project,
  change: ProjectFileChange
): ProjectWrite {
  const files = project.files ?? [];
  let patch: ProjectWrite;
  switch (change.kind) {
    case 'write': {
      if (isProjectOwnFile(change.path)) {
        patch = { [PROJECT_OWN_FILES[change.path]]: change.content };
        break;
      }
      checkProjectFilePath(change.path);
      const file = { path: change.path, content: change.content };
      const at = files.findIndex(f => f.path === change.path);
      patch = {
        files:
          at < 0
            ? sortedFiles([...files, file])
            : files.map((f, i) => (i === at ? file : f))
      };
      break;
    }
    case 'move': {
      requireOtherFile(change.from, 'renamed');
      const moved = existing(files, change.from);
      checkProjectFilePath(change.to);
      if (change.to === change.from) return {};
      if (files.some(f => f.path === change.to))
        throw new JaxLabError(
          'CONFLICT',
          `The project already has ${change.to}`,
          {
            hint: 'Rename or delete that file first, or choose another name.'
          }
        );
      patch = {
        files: sortedFiles([
          ...files.filter(f => f !== moved),
          { path: change.to, content: moved.content }
        ])
      };
      break;
    }
    case 'delete': {
      requireOtherFile(change.path, 'deleted');
      const gone = existing(files, change.path);
      patch = { files: files.filter(f => f !== gone) };
      break;
    }
  }
  checkProjectWrite(patch, project);
  return patch;
}

/**
 * Checks what a save would make of a project (`current` for a change, none
 * for a new one): requirements.txt line by line, every other file's path,
 * and the limits on count and bytes of all files together.
 *
 * @throws JaxLabError `REQUIREMENTS_REJECTED`, `PROJECT_FILE_REJECTED`.
 */
export function checkProjectWrite(
  patch: ProjectWrite,
  current?: Project
): void {
  if (patch.requirements !== undefined)
    validateRequirements(patch.requirements);
  checkProjectFiles(patch.files ?? current?.files ?? [], {
    mainPy: patch.mainPy ?? current?.mainPy,
    readme: patch.readme ?? current?.readme,
    requirements: patch.requirements ?? current?.requirements
  });
}

/**
 * Checks the paths of a body's `files` before the schema does, so that a
 * path a project may not have is refused naming the rule it breaks.
 *
 * @throws JaxLabError `PROJECT_FILE_REJECTED`.
 */
export function checkFilePaths(body: unknown): void {
  const files = (body as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return;
  for (const file of files as unknown[]) {
    const path = (file as { path?: unknown } | null)?.path;
    if (typeof path === 'string') checkProjectFilePath(path);
  }
}

/** Files by path, so that the list reads like a folder. */
function sortedFiles(files: ProjectFile[]): ProjectFile[] {
  return [...files].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0
  );
}

function requireOtherFile(path: string, verb: string): void {
  if (isProjectOwnFile(path))
    throw new JaxLabError(
      'PROJECT_FILE_REJECTED',
      `${path} is one of the project's own files and cannot be ${verb}`,
      {
        hint: `Edit ${path} instead; every project has main.py, README.md and requirements.txt.`,
        details: { path, rule: 'required' }
      }
    );
}

function existing(files: readonly ProjectFile[], path: string): ProjectFile {
  const file = files.find(f => f.path === path);
  if (!file)
    throw new JaxLabError('NOT_FOUND', `The project has no file ${path}`, {
      hint: "GET /api/projects/{id} lists the project's files."
    });
  return file;
}
