import express from 'express';
import type { Router } from 'express';

import { JaxLabError, assertValid } from '@jaxlab/schemas';

import type { Project } from '@jaxlab/schemas';

import type { KernelManager } from '../kernels/kernel-manager.js';
import { checkKernelFilePath } from '../kernels/kernel-files.js';
import type { Caller } from './credentials.js';
import type { KernelOwners } from './kernel-owners.js';
import { kernelNotFound, userIdOf } from './kernel-owners.js';
import { callerOf } from './request-guard.js';

/** Environment variable naming the designated functions of a new kernel (comma separated). */
export const DESIGNATED_FUNCTIONS_ENV = 'KERNEL_JAXLAB_DESIGNATED_FUNCTIONS';
/** Environment variable naming the project whose files a new kernel gets. */
export const PROJECT_ENV = 'KERNEL_JAXLAB_PROJECT_ID';
/** Environment variable naming the owner of that project (a user id). */
export const OWNER_ENV = 'KERNEL_JAXLAB_OWNER';

/** Where the gateway reads projects named at kernel start: the store's `projects`. */
export interface IProjectSource {
  get(id: string, owner: string): Promise<Project | null>;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(v => typeof v === 'string')
  );
}

/**
 * Parses a POST /api/kernels body: `{name?, env?, files?}` (`path` and
 * other fields jupyter_server sends are ignored). Only KERNEL_ variables
 * of `env` pass.
 *
 * @throws JaxLabError `INVALID_REQUEST`.
 */
export function parseStartBody(body: unknown): KernelManager.IStartOptions {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) {
    throw new JaxLabError('INVALID_REQUEST', 'The body must be a JSON object');
  }
  if (b.name !== undefined && typeof b.name !== 'string') {
    throw new JaxLabError('INVALID_REQUEST', 'name must be a string');
  }
  if (b.env !== undefined && !isStringRecord(b.env)) {
    throw new JaxLabError('INVALID_REQUEST', 'env must map names to strings');
  }
  if (b.files !== undefined && !isStringRecord(b.files)) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      'files must map file names to text'
    );
  }
  const env = Object.fromEntries(
    Object.entries((b.env as Record<string, string> | undefined) ?? {}).filter(
      ([k]) => k.startsWith('KERNEL_')
    )
  );
  const designated = env[DESIGNATED_FUNCTIONS_ENV]?.split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return {
    name: (b.name as string | undefined) || undefined,
    env,
    files: b.files as Record<string, string> | undefined,
    designatedFunctions: designated?.length ? designated : undefined
  };
}

/**
 * The owner a start request acts for: a user's own id, whatever the
 * request's env says ({@link OWNER_ENV} is overwritten with it, so a user
 * can never start a kernel on another user's project); the operator may
 * name anyone in {@link OWNER_ENV}.
 */
export function withCallerAsOwner(
  start: KernelManager.IStartOptions,
  caller: Caller
): KernelManager.IStartOptions {
  const userId = userIdOf(caller);
  if (userId === undefined) return start;
  return { ...start, env: { ...start.env, [OWNER_ENV]: userId } };
}

/**
 * Completes start options whose env names a project ({@link PROJECT_ENV}
 * and {@link OWNER_ENV}): the kernel's folder gets the project's main.py,
 * requirements.txt, README.md and other files (`models.py`, `utils/...`),
 * and its designated functions are the project's. Files given in the body
 * win.
 *
 * @throws JaxLabError `INVALID_REQUEST` (no owner, or no project source),
 *   `PROJECT_NOT_FOUND` (no such project of that owner).
 */
export async function withProjectFiles(
  start: KernelManager.IStartOptions,
  projects: IProjectSource | undefined
): Promise<KernelManager.IStartOptions> {
  const projectId = start.env?.[PROJECT_ENV];
  if (!projectId) return start;
  const owner = start.env?.[OWNER_ENV];
  if (!owner) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      `${PROJECT_ENV} needs ${OWNER_ENV}`,
      {
        hint: `Pass the project owner's user id as ${OWNER_ENV} in the start request's env.`
      }
    );
  }
  if (!projects) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      'This gateway has no project store',
      {
        hint: 'Start jaxlab-gateway with the lab’s data folder (--run-jobs), or write files with PUT /api/kernels/{id}/files.'
      }
    );
  }
  const project = await projects.get(projectId, owner);
  if (!project) {
    throw new JaxLabError(
      'PROJECT_NOT_FOUND',
      `Project ${projectId} not found`,
      {
        hint: 'Check the project id and its owner.'
      }
    );
  }
  return {
    ...start,
    files: {
      'main.py': project.mainPy,
      'requirements.txt': project.requirements,
      'README.md': project.readme,
      ...Object.fromEntries(
        (project.files ?? []).map(file => [file.path, file.content])
      ),
      ...start.files
    },
    designatedFunctions:
      start.designatedFunctions ?? project.designatedFunctions
  };
}

/**
 * The kernels REST API (`/api/kernels`), as jupyter_server answers it,
 * scoped to the caller: a user lists and reaches only the kernels they
 * started (another's answers 404 `KERNEL_NOT_FOUND`, as a missing one).
 */
export function kernelsRouter(
  kernels: KernelManager,
  bodyLimitBytes: number,
  projects: IProjectSource | undefined,
  owners: KernelOwners
): Router {
  const router = express.Router();
  const require = (id: string, caller: Caller) => {
    const kernel = kernels.get(id);
    // A job's kernel is its runner's, not a Jupyter client's.
    if (!kernel || kernels.isJobKernel(id) || !owners.isVisibleTo(id, caller))
      throw kernelNotFound(id);
    return kernel;
  };

  router.get('/', (_req, res) => {
    const caller = callerOf(res);
    res.json(
      kernels
        .list()
        .filter(
          k => !kernels.isJobKernel(k.id) && owners.isVisibleTo(k.id, caller)
        )
    );
  });

  router.post('/', async (req, res) => {
    const caller = callerOf(res);
    const start = withCallerAsOwner(parseStartBody(req.body), caller);
    const kernel = await kernels.startKernel(
      await withProjectFiles(start, projects)
    );
    owners.set(kernel.id, userIdOf(caller) ?? start.env?.[OWNER_ENV]);
    res
      .status(201)
      .location(`/api/kernels/${encodeURIComponent(kernel.id)}`)
      .json(kernel.model);
  });

  router.get('/:kernelId', (req, res) => {
    res.json(require(req.params.kernelId, callerOf(res)).model);
  });

  router.delete('/:kernelId', async (req, res) => {
    await kernels.shutdownKernel(
      require(req.params.kernelId, callerOf(res)).id
    );
    res.status(204).end();
  });

  router.post('/:kernelId/interrupt', async (req, res) => {
    await kernels.interruptKernel(
      require(req.params.kernelId, callerOf(res)).id
    );
    res.status(204).end();
  });

  router.post('/:kernelId/restart', async (req, res) => {
    const kernel = require(req.params.kernelId, callerOf(res));
    await kernels.restartKernel(kernel.id);
    res.json(kernel.model);
  });

  // A project's files, all at once: `{files: {path: text}, remove: [path]}`.
  router.put('/:kernelId/files', async (req, res) => {
    const kernel = require(req.params.kernelId, callerOf(res));
    const body: unknown = req.body ?? {};
    const { files, remove } = body as { files?: unknown; remove?: unknown };
    if (files !== null && typeof files === 'object')
      Object.keys(files).forEach(checkKernelFilePath);
    if (Array.isArray(remove))
      remove.forEach(path => {
        if (typeof path === 'string') checkKernelFilePath(path);
      });
    assertValid('kernel-files-write', body, 'kernel files');
    await kernels.removeFiles(kernel.id, body.remove ?? []);
    await kernels.writeFiles(kernel.id, body.files ?? {});
    res.status(204).end();
  });

  // One file, as text/plain or `{"content": ...}`; the path may hold folders.
  router.put(
    '/:kernelId/files/*path',
    express.text({
      limit: bodyLimitBytes,
      type: ['text/*', 'application/octet-stream']
    }),
    async (req, res) => {
      const kernel = require(req.params.kernelId, callerOf(res));
      const content =
        typeof req.body === 'string'
          ? req.body
          : (req.body as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string') {
        throw new JaxLabError(
          'INVALID_REQUEST',
          'Send the file as text/plain or as {"content": "..."}'
        );
      }
      const path = (req.params as { path: string[] }).path.join('/');
      await kernels.writeFiles(kernel.id, { [path]: content });
      res.status(204).end();
    }
  );

  return router;
}
