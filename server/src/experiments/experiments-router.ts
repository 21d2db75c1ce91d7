import express from 'express';
import type { Request, Router } from 'express';
import type { Job, SeriesData } from '@jaxlab/schemas';
import type { IJobs, IProjects, ISeries } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { queryInteger, queryString } from '../http/request-params.js';
import { ownerOf } from '../http/request-user.js';
import { ownJob } from '../jobs/own-job.js';
import { compareRuns } from './run-comparison.js';

/** Most runs one comparison holds. */
export const MAX_COMPARED_RUNS = 16;

/** Options of {@link createExperimentsRouter}. */
export interface IExperimentsRouterOptions {
  jobs: IJobs;
  series: ISeries;
  projects: IProjects;
}

/**
 * Experiments (mount at `/api`, after authentication):
 *
 * - `GET /jobs/{id}/series?names=&buckets=&fromStep=&toStep=` → SeriesData:
 *   the run's step series, each cut into at most `buckets` (default 1000,
 *   at most 10000) step buckets with min/max/last, between `fromStep` and
 *   `toStep`; `names` comma separated (default: all);
 * - `GET /experiments/compare?jobs=a,b,c` → RunComparison of 1 to 16 runs,
 *   in the order given.
 *
 * Another user's run answers 404 `JOB_NOT_FOUND`, exactly like a missing one.
 */
export function createExperimentsRouter(
  options: IExperimentsRouterOptions
): Router {
  const { jobs, series, projects } = options;
  const router = express.Router();

  const ownRun = (req: Request, id: string): Promise<Job> =>
    ownJob(jobs, id, ownerOf(req));

  router.get('/jobs/:id/series', async (req, res) => {
    const job = await ownRun(req, String(req.params.id));
    const buckets = queryInteger(req, 'buckets', {
      min: 1,
      max: 10_000,
      default: 1000
    })!;
    const names = queryString(req, 'names', 64 * 66)
      ?.split(',')
      .filter(Boolean);
    const step = { min: 0, max: Number.MAX_SAFE_INTEGER };
    const fromStep = queryInteger(req, 'fromStep', step);
    const toStep = queryInteger(req, 'toStep', step);
    const body: SeriesData = {
      jobId: job.id,
      buckets,
      series: await series.read(job.id, { names, buckets, fromStep, toStep })
    };
    res.json(body);
  });

  router.get('/experiments/compare', async (req, res) => {
    const ids = (queryString(req, 'jobs', 65 * MAX_COMPARED_RUNS) ?? '')
      .split(',')
      .filter(Boolean);
    if (ids.length < 1 || ids.length > MAX_COMPARED_RUNS) {
      throw new HttpError(
        'INVALID_REQUEST',
        `Compare 1 to ${MAX_COMPARED_RUNS} runs, not ${ids.length}`,
        { hint: 'Pass their ids as jobs=a,b,c.' }
      );
    }
    const runs = await Promise.all(
      [...new Set(ids)].map(id => ownRun(req, id))
    );
    const names: Record<string, string> = {};
    for (const projectId of new Set(runs.map(job => job.projectId))) {
      if (!projectId) continue;
      const project = await projects.get(projectId, ownerOf(req));
      if (project) names[projectId] = project.name;
    }
    res.json(compareRuns(runs, names));
  });

  return router;
}
