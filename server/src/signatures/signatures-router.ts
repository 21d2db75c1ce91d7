import express from 'express';
import type { Router } from 'express';
import type { SignatureRequest } from '@jaxlab/schemas';
import { DEFAULT_DESIGNATED_FUNCTIONS, assertValid } from '@jaxlab/schemas';
import { readFunctionSignatures } from './function-signatures.js';

/**
 * `POST /` (mount at `/api/signatures`): the parameters of the designated
 * functions of the main.py in the body, for the lab's argument form. The
 * code is parsed by the harness, never run.
 */
export function createSignaturesRouter(): Router {
  const router = express.Router();
  router.post('/', async (req, res) => {
    const body: unknown = req.body ?? {};
    assertValid('signature-request', body, 'signature request');
    const request: SignatureRequest = body;
    res.json(
      await readFunctionSignatures(
        request.code,
        request.designatedFunctions ?? DEFAULT_DESIGNATED_FUNCTIONS
      )
    );
  });
  return router;
}
