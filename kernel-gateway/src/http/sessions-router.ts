import { randomUUID } from 'node:crypto';

import express from 'express';
import type { Router } from 'express';

import { JaxLabError } from '@jaxlab/schemas';

import type { KernelManager } from '../kernels/kernel-manager.js';
import type { IKernelModel } from '../kernels/kernel-client.js';
import type { Caller } from './credentials.js';
import type { KernelOwners } from './kernel-owners.js';
import { kernelNotFound, userIdOf } from './kernel-owners.js';
import { callerOf } from './request-guard.js';

/** jupyter_server's session model. */
export interface ISessionModel {
  id: string;
  path: string;
  name: string;
  type: string;
  kernel: IKernelModel;
  notebook: { path: string; name: string };
}

interface ISessionRecord {
  id: string;
  path: string;
  name: string;
  type: string;
  kernelId: string;
  /** The user who made it (undefined: the operator). */
  owner: string | undefined;
}

/**
 * The sessions REST API (`/api/sessions`), in memory, as Jupyter Kernel
 * Gateway and jupyter_server have it: a session ties a path to a kernel;
 * deleting it shuts the kernel down. Scoped like the kernels: a user sees
 * only their own sessions and may tie one only to their own kernel.
 */
export function sessionsRouter(
  kernels: KernelManager,
  owners: KernelOwners
): Router {
  const router = express.Router();
  const sessions = new Map<string, ISessionRecord>();

  const model = (s: ISessionRecord): ISessionModel | undefined => {
    const kernel = kernels.get(s.kernelId);
    if (!kernel) {
      sessions.delete(s.id);
      return undefined;
    }
    return {
      id: s.id,
      path: s.path,
      name: s.name,
      type: s.type,
      kernel: kernel.model,
      notebook: { path: s.path, name: s.name }
    };
  };
  const isVisible = (s: ISessionRecord, caller: Caller): boolean =>
    caller.kind === 'operator' || s.owner === caller.userId;
  const require = (id: string, caller: Caller): ISessionRecord => {
    const s = sessions.get(id);
    if (!s || !isVisible(s, caller) || !model(s)) {
      throw new JaxLabError('NOT_FOUND', `Session not found: ${id}`, {
        hint: 'List sessions with GET /api/sessions.'
      });
    }
    return s;
  };
  const kernelFor = async (
    body: Record<string, unknown>,
    caller: Caller
  ): Promise<string> => {
    const k = (body.kernel ?? {}) as { id?: unknown; name?: unknown };
    if (typeof k.id === 'string') {
      if (
        !kernels.get(k.id) ||
        kernels.isJobKernel(k.id) ||
        !owners.isVisibleTo(k.id, caller)
      )
        throw kernelNotFound(k.id);
      return k.id;
    }
    const kernel = await kernels.startKernel({
      name: typeof k.name === 'string' && k.name ? k.name : undefined
    });
    owners.set(kernel.id, userIdOf(caller));
    return kernel.id;
  };
  const text = (value: unknown, fallback: string): string =>
    typeof value === 'string' ? value : fallback;

  router.get('/', (_req, res) => {
    const caller = callerOf(res);
    res.json(
      [...sessions.values()]
        .filter(s => isVisible(s, caller))
        .map(model)
        .filter(Boolean)
    );
  });

  router.post('/', async (req, res) => {
    const caller = callerOf(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const notebook = (body.notebook ?? {}) as Record<string, unknown>;
    const record: ISessionRecord = {
      id: randomUUID(),
      path: text(body.path, text(notebook.path, '')),
      name: text(body.name, text(notebook.name, '')),
      type: text(body.type, 'notebook'),
      kernelId: await kernelFor(body, caller),
      owner: userIdOf(caller)
    };
    sessions.set(record.id, record);
    res.status(201).location(`/api/sessions/${record.id}`).json(model(record));
  });

  router.get('/:sessionId', (req, res) => {
    res.json(model(require(req.params.sessionId, callerOf(res))));
  });

  router.patch('/:sessionId', async (req, res) => {
    const caller = callerOf(res);
    const record = require(req.params.sessionId, caller);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.path !== undefined) record.path = text(body.path, record.path);
    if (body.name !== undefined) record.name = text(body.name, record.name);
    if (body.type !== undefined) record.type = text(body.type, record.type);
    if (body.kernel !== undefined) {
      const previous = record.kernelId;
      record.kernelId = await kernelFor(body, caller);
      if (previous !== record.kernelId && kernels.get(previous)) {
        await kernels.shutdownKernel(previous);
      }
    }
    res.json(model(record));
  });

  router.delete('/:sessionId', async (req, res) => {
    const record = require(req.params.sessionId, callerOf(res));
    sessions.delete(record.id);
    if (kernels.get(record.kernelId))
      await kernels.shutdownKernel(record.kernelId);
    res.status(204).end();
  });

  return router;
}
