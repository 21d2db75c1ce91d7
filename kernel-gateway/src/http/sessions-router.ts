import { randomUUID } from 'node:crypto';

import express from 'express';
import type { Router } from 'express';

import { JaxLabError } from '@jaxlab/schemas';

import type { KernelManager } from '../kernels/kernel-manager.js';
import type { IKernelModel } from '../kernels/kernel-session.js';

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
}

/**
 * The sessions REST API (`/api/sessions`), in memory, as Jupyter Kernel
 * Gateway and jupyter_server have it: a session ties a path to a kernel;
 * deleting it shuts the kernel down.
 */
export function sessionsRouter(kernels: KernelManager): Router {
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
  const require = (id: string): ISessionRecord => {
    const s = sessions.get(id);
    if (!s || !model(s)) {
      throw new JaxLabError('NOT_FOUND', `Session not found: ${id}`, {
        hint: 'List sessions with GET /api/sessions.'
      });
    }
    return s;
  };
  const kernelFor = async (body: Record<string, unknown>): Promise<string> => {
    const k = (body.kernel ?? {}) as { id?: unknown; name?: unknown };
    if (typeof k.id === 'string') {
      if (!kernels.get(k.id)) {
        throw new JaxLabError(
          'KERNEL_NOT_FOUND',
          `Kernel does not exist: ${k.id}`
        );
      }
      return k.id;
    }
    const kernel = await kernels.startKernel({
      name: typeof k.name === 'string' && k.name ? k.name : undefined
    });
    return kernel.id;
  };
  const text = (value: unknown, fallback: string): string =>
    typeof value === 'string' ? value : fallback;

  router.get('/', (_req, res) => {
    res.json([...sessions.values()].map(model).filter(Boolean));
  });

  router.post('/', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const notebook = (body.notebook ?? {}) as Record<string, unknown>;
    const record: ISessionRecord = {
      id: randomUUID(),
      path: text(body.path, text(notebook.path, '')),
      name: text(body.name, text(notebook.name, '')),
      type: text(body.type, 'notebook'),
      kernelId: await kernelFor(body)
    };
    sessions.set(record.id, record);
    res.status(201).location(`/api/sessions/${record.id}`).json(model(record));
  });

  router.get('/:sessionId', (req, res) => {
    res.json(model(require(req.params.sessionId)));
  });

  router.patch('/:sessionId', async (req, res) => {
    const record = require(req.params.sessionId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.path !== undefined) record.path = text(body.path, record.path);
    if (body.name !== undefined) record.name = text(body.name, record.name);
    if (body.type !== undefined) record.type = text(body.type, record.type);
    if (body.kernel !== undefined) {
      const previous = record.kernelId;
      record.kernelId = await kernelFor(body);
      if (previous !== record.kernelId && kernels.get(previous)) {
        await kernels.shutdownKernel(previous);
      }
    }
    res.json(model(record));
  });

  router.delete('/:sessionId', async (req, res) => {
    const record = require(req.params.sessionId);
    sessions.delete(record.id);
    if (kernels.get(record.kernelId))
      await kernels.shutdownKernel(record.kernelId);
    res.status(204).end();
  });

  return router;
}
