import express from 'express';
import type { Request, Router } from 'express';
import type { Project, ProjectList, ProjectWrite } from '@jaxlab/schemas';
import {
  JaxLabError,
  assertValid,
  checkProjectFilePath,
  isProjectOwnFile
} from '@jaxlab/schemas';
import type { IProjects } from '@jaxlab/store';
import { loadSample } from '../samples/sample-catalog.js';
import { withProjectDefaults } from './project-defaults.js';
import {
  applyFileChange,
  checkFilePaths,
  checkProjectWrite
} from './project-file-changes.js';
import type { ProjectFileChange } from './project-file-changes.js';

/** Options of {@link createProjectsRouter}. */
export interface IProjectsRouterOptions {
  projects: IProjects;
}

/**
 * CRUD of the signed-in user's projects, mounted at `/api/projects`:
 * `POST /` (a ProjectWrite with `name`, or `{sample, name?}` to start from a
 * sample problem, named after it, `(2)`, `(3)`, ... when the user has one of
 * that name already) → 201, `GET /`, `GET|PATCH|DELETE /{id}`, and their
 * files one at a time: `PUT /{id}/files/{path}` `{content}` (adds: 201, or
 * replaces: 200), `PATCH /{id}/files/{path}` `{path}` (renames),
 * `DELETE /{id}/files/{path}`, each answering the project. Another user's
 * project answers 404 `PROJECT_NOT_FOUND`, exactly like a missing one; a
 * requirements.txt a job could not install from answers 400
 * `REQUIREMENTS_REJECTED` naming the line and the rule, a file path or
 * size a project may not have 400 `PROJECT_FILE_REJECTED` naming the file
 * and the rule, and nothing is saved. Needs `req.user` (mount after the
 * auth middleware).
 */
export function createProjectsRouter(options: IProjectsRouterOptions): Router {
  const { projects } = options;
  const router = express.Router();

  router.post('/', async (req, res) => {
    const body: unknown = req.body ?? {};
    checkFilePaths(body);
    assertValid('project-write', body, 'project');
    let input: ProjectWrite = body;
    if (input.sample !== undefined) {
      const s = await loadSample(input.sample).catch(err => {
        throw new JaxLabError('INVALID_REQUEST', (err as Error).message, {
          hint: (err as JaxLabError).hint
        });
      });
      input = {
        readme: s.readme,
        mainPy: s.mainPy,
        requirements: s.requirements,
        ...input,
        name:
          input.name ??
          uniqueName(
            s.title,
            (await projects.list(owner(req))).map(p => p.name)
          )
      };
    }
    if (input.name === undefined) {
      throw new JaxLabError(
        'INVALID_REQUEST',
        'Invalid project: name is required',
        {
          hint: 'Send {"name": "..."} or {"sample": "<id from GET /api/samples>"}.'
        }
      );
    }
    checkProjectWrite(input);
    const project = await projects.create(
      owner(req),
      withProjectDefaults({ ...input, name: input.name })
    );
    res.status(201).json(project);
  });

  router.get('/', async (req, res) => {
    const list: ProjectList = await projects.list(owner(req));
    res.json(list);
  });

  router.get('/:id', async (req, res) => {
    const project = await projects.get(String(req.params.id), owner(req));
    if (!project) throw notFound(String(req.params.id));
    res.json(project);
  });

  router.patch('/:id', async (req, res) => {
    const body: unknown = req.body ?? {};
    checkFilePaths(body);
    assertValid('project-write', body, 'project change');
    // `sample` records where a project came from; it never changes.
    const patch: ProjectWrite = { ...body };
    delete patch.sample;
    const project = await projects.modify(
      String(req.params.id),
      owner(req),
      current => {
        checkProjectWrite(patch, current);
        return patch;
      }
    );
    if (!project) throw notFound(String(req.params.id));
    res.json(project);
  });

  /** Answers 404 for a project the caller does not own, before its body is read. */
  const requireOwned = async (req: Request): Promise<void> => {
    if (!(await projects.get(String(req.params.id), owner(req))))
      throw notFound(String(req.params.id));
  };

  /** Applies `change`; `seen` sees the project it was applied to. */
  const changeFile = async (
    req: Request,
    change: ProjectFileChange,
    seen?: (current: Project) => void
  ): Promise<Project> => {
    const project = await projects.modify(
      String(req.params.id),
      owner(req),
      current => {
        seen?.(current);
        return applyFileChange(current, change);
      }
    );
    if (!project) throw notFound(String(req.params.id));
    return project;
  };

  router.put('/:id/files/*path', async (req, res) => {
    await requireOwned(req);
    const path = filePath(req);
    const body: unknown = req.body ?? {};
    assertValid('project-file-write', body, 'file');
    let isNew = false;
    const project = await changeFile(
      req,
      { kind: 'write', path, content: body.content },
      current => {
        isNew =
          !isProjectOwnFile(path) &&
          !(current.files ?? []).some(f => f.path === path);
      }
    );
    res.status(isNew ? 201 : 200).json(project);
  });

  router.patch('/:id/files/*path', async (req, res) => {
    await requireOwned(req);
    const body: unknown = req.body ?? {};
    if (typeof (body as { path?: unknown }).path === 'string')
      checkProjectFilePath((body as { path: string }).path);
    assertValid('project-file-move', body, 'rename');
    res.json(
      await changeFile(req, {
        kind: 'move',
        from: filePath(req),
        to: body.path
      })
    );
  });

  router.delete('/:id/files/*path', async (req, res) => {
    res.json(await changeFile(req, { kind: 'delete', path: filePath(req) }));
  });

  router.delete('/:id', async (req, res) => {
    const ok = await projects.delete(String(req.params.id), owner(req));
    if (!ok) throw notFound(String(req.params.id));
    res.status(204).end();
  });

  return router;
}

/** The file path of a `/{id}/files/{path}` request, as its segments say. */
function filePath(req: Request): string {
  const path = req.params.path as unknown;
  return Array.isArray(path) ? path.join('/') : String(path);
}

/** `base`, or `base (2)`, `base (3)`, ..., whichever `taken` lacks first. */
export function uniqueName(base: string, taken: readonly string[]): string {
  const names = new Set(taken);
  let name = base;
  for (let n = 2; names.has(name); n++) name = `${base} (${n})`;
  return name;
}

function owner(req: Request): string {
  if (!req.user) throw new JaxLabError('UNAUTHORIZED', 'Sign-in required');
  return req.user.id;
}

function notFound(id: string): JaxLabError {
  return new JaxLabError('PROJECT_NOT_FOUND', `No project ${id}`, {
    hint: 'List your projects with GET /api/projects.'
  });
}
