import express from 'express';
import type { Request, Router } from 'express';
import type {
  Accelerator,
  Baseline,
  BaselineSet,
  Leaderboard,
  MetricDirection
} from '@jaxlab/schemas';
import { assertValid } from '@jaxlab/schemas';
import type { IBaselines, IJobs, IProjects } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { jobArgFilters } from '../jobs/job-list-query.js';
import { ownJob } from '../jobs/own-job.js';
import { queryInteger, queryString } from '../http/request-params.js';
import { ownerOf } from '../http/request-user.js';
import { leaderboardCsv } from './leaderboard-csv.js';
import { metricValueOf } from './metric-value.js';
import type { RegressionChecker } from './regression-checker.js';

/** Options of {@link createBaselinesRouter}. */
export interface IBaselinesRouterOptions {
  jobs: IJobs;
  projects: IProjects;
  baselines: IBaselines;
  checker: RegressionChecker;
  /** Clock of a baseline's `createdAt` (tests inject one). */
  now?: () => Date;
}

const ACCELERATORS: readonly Accelerator[] = ['cpu', 'gpu', 'tpu'];

/**
 * Leaderboards and regression baselines (mount at `/api`, after
 * authentication):
 *
 * - `GET /projects/{id}/leaderboard?metric=&direction=min|max&tag=&arg=&from=&to=&accelerator=&limit=&format=csv`
 *   → Leaderboard (or `text/csv`): the project's completed runs with the
 *   metric, best first;
 * - `PUT /projects/{id}/baseline` (BaselineSet) → Baseline: the run and
 *   the metrics (direction, tolerance) every finished run is checked
 *   against; the project's finished runs are checked at once;
 * - `GET /projects/{id}/baseline` → Baseline; `DELETE` removes it (204);
 * - `GET /runs/{id}/regression` → RegressionVerdict of a finished run, for
 *   CI (404 `BASELINE_NOT_FOUND` without a baseline, 409 `JOB_NOT_FINISHED`
 *   while it runs).
 */
export function createBaselinesRouter(
  options: IBaselinesRouterOptions
): Router {
  const { jobs, projects, baselines, checker } = options;
  const now = options.now ?? (() => new Date());
  const router = express.Router();

  const ownProject = async (req: Request): Promise<string> => {
    const id = String(req.params.id);
    const project =
      id.length <= 64 ? await projects.get(id, ownerOf(req)) : null;
    if (!project) {
      throw new HttpError('PROJECT_NOT_FOUND', `No project ${id}`, {
        hint: 'List your projects with GET /api/projects.'
      });
    }
    return project.id;
  };

  router.get('/projects/:id/leaderboard', async (req, res) => {
    const projectId = await ownProject(req);
    const metric = queryString(req, 'metric', 64);
    if (!metric) {
      throw new HttpError('INVALID_REQUEST', 'Which metric ranks the runs?', {
        hint: 'Pass metric=<name>, e.g. metric=loss&direction=min.'
      });
    }
    const direction = (queryString(req, 'direction', 3) ??
      'min') as MetricDirection;
    const accelerator = queryString(req, 'accelerator', 3) as
      Accelerator | undefined;
    if (accelerator !== undefined && !ACCELERATORS.includes(accelerator)) {
      throw new HttpError('INVALID_REQUEST', `No accelerator ${accelerator}`, {
        hint: `Filter on one of ${ACCELERATORS.join(', ')}.`
      });
    }
    const query: IJobs.IRankQuery = {
      owner: ownerOf(req),
      projectId,
      metric,
      direction,
      limit: queryInteger(req, 'limit', { min: 1, max: 10_000, default: 100 })
    };
    const tag = queryString(req, 'tag', 64);
    if (tag) query.tag = tag;
    const args = jobArgFilters(req);
    if (args) query.args = args;
    const from = isoQuery(req, 'from');
    const to = isoQuery(req, 'to');
    if (from) query.createdFrom = from;
    if (to) query.createdBefore = to;
    if (accelerator) query.accelerator = accelerator;
    const ranking = await jobs.rank(query);
    const board: Leaderboard = {
      projectId,
      metric,
      direction,
      total: ranking.total,
      rows: ranking.rows.map((row, i) => ({ rank: i + 1, ...row }))
    };
    if (queryString(req, 'format', 4) === 'csv') {
      res
        .type('text/csv')
        .attachment(`leaderboard-${metric.replace(/[^\w.-]/g, '_')}.csv`)
        .send(leaderboardCsv(board));
      return;
    }
    res.json(board);
  });

  router.put('/projects/:id/baseline', async (req, res) => {
    const projectId = await ownProject(req);
    const body: unknown = req.body ?? {};
    assertValid('baseline-set', body, 'baseline');
    const request: BaselineSet = body;
    const owner = ownerOf(req);
    const job = await ownJob(jobs, request.jobId, owner);
    if (job.projectId !== projectId || job.status !== 'COMPLETED') {
      throw new HttpError(
        'INVALID_REQUEST',
        `Run ${job.id} is not a completed run of this project`,
        { hint: "Set a completed run of the project's as its baseline." }
      );
    }
    const missing = request.metrics.filter(
      m => metricValueOf(job, m.name) === undefined
    );
    if (missing.length) {
      throw new HttpError(
        'INVALID_REQUEST',
        `Run ${job.id} has no value of ${missing.map(m => m.name).join(', ')}`,
        {
          hint: 'Choose metrics the run logged (a step series or a Final <name>: line).',
          details: { missing: missing.map(m => m.name) }
        }
      );
    }
    const baseline: Baseline = {
      projectId,
      jobId: job.id,
      metrics: request.metrics.map(m => ({
        ...m,
        value: metricValueOf(job, m.name)!
      })),
      createdAt: now().toISOString()
    };
    await baselines.set(owner, baseline);
    await checker.checkProject(owner, baseline);
    res.json(baseline);
  });

  router.get('/projects/:id/baseline', async (req, res) => {
    const projectId = await ownProject(req);
    res.json(await ownBaseline(baselines, projectId, ownerOf(req)));
  });

  router.delete('/projects/:id/baseline', async (req, res) => {
    const projectId = await ownProject(req);
    await ownBaseline(baselines, projectId, ownerOf(req));
    await baselines.remove(projectId, ownerOf(req));
    res.status(204).end();
  });

  router.get('/runs/:id/regression', async (req, res) => {
    const owner = ownerOf(req);
    const job = await ownJob(jobs, String(req.params.id), owner);
    if (job.projectId) await ownBaseline(baselines, job.projectId, owner);
    else throw noBaseline();
    const verdict = await checker.verdictFor(owner, job);
    if (!verdict) {
      throw new HttpError(
        'JOB_NOT_FINISHED',
        `Run ${job.id} is ${job.status}`,
        {
          hint: 'Ask again once it has finished.'
        }
      );
    }
    res.json(verdict);
  });

  return router;
}

async function ownBaseline(
  baselines: IBaselines,
  projectId: string,
  owner: string
): Promise<Baseline> {
  const baseline = await baselines.get(projectId, owner);
  if (!baseline) throw noBaseline();
  return baseline;
}

function noBaseline(): HttpError {
  return new HttpError('BASELINE_NOT_FOUND', 'The project has no baseline', {
    hint: 'Set one with PUT /api/projects/{id}/baseline (or "Set as baseline" on a run).'
  });
}

function isoQuery(req: Request, name: string): string | undefined {
  const raw = queryString(req, name, 40);
  if (raw === undefined || raw === '') return undefined;
  const time = new Date(raw);
  if (Number.isNaN(time.getTime())) {
    throw new HttpError('INVALID_REQUEST', `${name} is not a date`, {
      hint: `Write ${name} as an ISO date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z.`
    });
  }
  return time.toISOString();
}
