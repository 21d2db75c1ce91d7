import express from 'express';
import type { Request, Router } from 'express';
import type { ReviewStreamData } from '@jaxlab/schemas';
import { JaxLabError, assertValid } from '@jaxlab/schemas';
import type { IProjects } from '@jaxlab/store';
import { checkFilePaths } from '../projects/index.js';
import type { CodeReviewer } from './code-reviewer.js';

/** Options of {@link createReviewRouter}. */
export interface IReviewRouterOptions {
  /** Where projects live (a `projectId` must be the caller's). */
  projects: IProjects;
  /** Lint plus model. */
  reviewer: CodeReviewer;
}

/**
 * `POST /` (mount at `/api/review`) with a ReviewRequest body (`code`,
 * optional `requirements`, `projectId`, `stream`): the Review JSON, or with
 * `stream: true` or `Accept: text/event-stream` Server-Sent Events: `lint`
 * (the findings), `delta` chunks of the model's Markdown, then `done` (the
 * whole Review). Model trouble never fails the request (see `ai.status`).
 */
export function createReviewRouter(options: IReviewRouterOptions): Router {
  const { projects, reviewer } = options;
  const router = express.Router();
  router.post('/', async (req, res) => {
    const body: unknown = req.body;
    checkFilePaths(body);
    assertValid('review-request', body, 'review request');
    let problem: string | undefined;
    let designated: string[] | undefined;
    if (body.projectId !== undefined) {
      const project = await projects.get(body.projectId, owner(req));
      if (!project) {
        throw new JaxLabError(
          'PROJECT_NOT_FOUND',
          `No project ${body.projectId}`,
          {
            hint: 'List your projects with GET /api/projects.'
          }
        );
      }
      problem = project.readme;
      designated = project.designatedFunctions;
    }
    const input = {
      code: body.code,
      files: body.files,
      requirements: body.requirements,
      problem,
      designated
    };
    const wantsStream =
      body.stream === true ||
      (req.headers.accept ?? '').includes('text/event-stream');
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    if (!wantsStream) {
      res.json(await reviewer.review(input, abort.signal));
      return;
    }
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no'
    });
    res.flushHeaders();
    for await (const ev of reviewer.reviewStream(input, abort.signal)) {
      if (abort.signal.aborted) break;
      const data: ReviewStreamData =
        ev.type === 'lint'
          ? { findings: ev.findings, loadViolations: ev.loadViolations }
          : ev.type === 'delta'
            ? { text: ev.text }
            : ev.review;
      res.write(`event: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    res.end();
  });
  return router;
}

function owner(req: Request): string {
  if (!req.user) throw new JaxLabError('UNAUTHORIZED', 'Sign-in required');
  return req.user.id;
}
