import express from 'express';
import type { Router } from 'express';
import { assertValid } from '@jaxlab/schemas';

import { makeRunnable } from './harness-commands.js';
import type { IPythonCommandOptions } from './python-command.js';

/** Options of {@link createMakeRunnableRouter}. */
export interface IMakeRunnableRouterOptions {
  /** How to run the harness (default: the lab's Python). */
  python?: IPythonCommandOptions;
}

/**
 * `POST /` (mount at `/api/make-runnable`) with a MakeRunnableRequest body
 * (`code`, a main.py): the RunnableRewrite, main.py with its top-level work
 * moved into a generated `main()`, for the lab to show as a diff to accept
 * or reject. Deterministic and model-free; nothing of the code runs.
 */
export function createMakeRunnableRouter(
  options: IMakeRunnableRouterOptions = {}
): Router {
  const router = express.Router();
  router.post('/', async (req, res) => {
    const body: unknown = req.body;
    assertValid('make-runnable-request', body, 'make-runnable request');
    res.json(await makeRunnable(body.code, options.python));
  });
  return router;
}
