import express from 'express';
import type { Router } from 'express';
import { SAMPLE_PROBLEMS } from './sample-catalog.js';

/** `GET /` lists the sample problems (mount at `/api/samples`). */
export function createSamplesRouter(): Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.json(SAMPLE_PROBLEMS);
  });
  return router;
}
