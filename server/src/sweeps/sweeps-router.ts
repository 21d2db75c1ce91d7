import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Request, Router } from 'express';
import type { Sweep, SweepCreate } from '@jaxlab/schemas';
import { assertValid } from '@jaxlab/schemas';
import type { IProjects, ISweeps } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import { resolveJobRequest } from '../jobs/job-request.js';
import { queryString } from '../http/request-params.js';
import { ownerOf } from '../http/request-user.js';
import { materialiseTrials } from './search-space.js';
import type { SweepScheduler } from './sweep-scheduler.js';

/** Options of {@link createSweepsRouter}. */
export interface ISweepsRouterOptions {
  sweeps: ISweeps;
  projects: IProjects;
  scheduler: SweepScheduler;
  /** Clock (tests inject one). */
  now?: () => Date;
}

/**
 * Sweeps (mount at `/api/sweeps`, after authentication):
 *
 * - `POST /` (SweepCreate) → 201 Sweep: the trials materialised and the
 *   first ones submitted;
 * - `GET /?projectId=` → SweepList; `GET /{id}` → Sweep (with `waitingFor`
 *   when trials wait for a free slot);
 * - `POST /{id}/pause`, `/resume`, `/cancel` → Sweep. Pausing submits no
 *   further trial (those in flight finish and are recorded); cancelling
 *   also cancels the trials in flight. A finished sweep answers 409
 *   `SWEEP_FINISHED`.
 */
export function createSweepsRouter(options: ISweepsRouterOptions): Router {
  const { sweeps, projects, scheduler } = options;
  const now = options.now ?? (() => new Date());
  const router = express.Router();

  const ownSweep = async (req: Request): Promise<Sweep> => {
    const id = String(req.params.id);
    const sweep = id.length <= 64 ? await sweeps.get(id, ownerOf(req)) : null;
    if (!sweep) {
      throw new HttpError('SWEEP_NOT_FOUND', `No sweep ${id}`, {
        hint: 'List your sweeps with GET /api/sweeps.'
      });
    }
    return sweep;
  };

  const withWaiting = async (sweep: Sweep): Promise<Sweep> => {
    if (
      sweep.status === 'RUNNING' &&
      sweep.trials.some(t => t.state === 'PENDING') &&
      (await scheduler.freeSlots(sweep.accelerator)) === 0
    ) {
      return {
        ...sweep,
        waitingFor: `No free slot on a host with a ${sweep.accelerator.toUpperCase()} now: trials start as slots free up.`
      };
    }
    return sweep;
  };

  router.post('/', async (req, res) => {
    const body: unknown = req.body ?? {};
    assertValid('sweep-create', body, 'sweep');
    const request: SweepCreate = body;
    const owner = ownerOf(req);
    const job = await resolveJobRequest(projects, owner, {
      projectId: request.projectId,
      code: request.code,
      ...pick(request, [
        'requirements',
        'entrypoint',
        'accelerator',
        'timeLimitMs',
        'args'
      ])
    });
    const trials = materialiseTrials(request.space, job.args);
    const time = now().toISOString();
    const id = `sw${randomUUID().replace(/-/g, '').slice(0, 22)}`;
    const sweep: Sweep = {
      id,
      owner,
      projectId: request.projectId,
      name: request.name || `sweep ${time.slice(0, 16).replace('T', ' ')}`,
      entrypoint: job.entrypoint,
      accelerator: job.accelerator,
      space: request.space,
      target: request.target,
      maxConcurrent: request.maxConcurrent ?? 1,
      ...(request.earlyStopping
        ? { earlyStopping: request.earlyStopping }
        : {}),
      status: 'RUNNING',
      createdAt: time,
      updatedAt: time,
      trials: trials.map((args, index) => ({ index, args, state: 'PENDING' }))
    };
    await sweeps.create(sweep, {
      code: job.code,
      requirements: job.requirements,
      ...(job.timeLimitMs !== undefined ? { timeLimitMs: job.timeLimitMs } : {})
    });
    await scheduler.kick(id);
    res.status(201).json(await withWaiting((await sweeps.get(id))!));
  });

  router.get('/', async (req, res) => {
    const projectId = queryString(req, 'projectId', 64);
    res.json({ items: await sweeps.list(ownerOf(req), projectId) });
  });

  router.get('/:id', async (req, res) => {
    res.json(await withWaiting(await ownSweep(req)));
  });

  const transition = (
    name: string,
    from: Sweep['status'][],
    to: Sweep['status']
  ): void => {
    router.post(`/:id/${name}`, async (req, res) => {
      const sweep = await ownSweep(req);
      const changed = await sweeps.mutate(sweep.id, current =>
        from.includes(current.status)
          ? { ...current, status: to, updatedAt: now().toISOString() }
          : null
      );
      if (changed?.status !== to) {
        throw new HttpError(
          'SWEEP_FINISHED',
          `Sweep ${sweep.id} is ${changed?.status ?? sweep.status}`,
          {
            hint: 'Only a running or paused sweep can be paused, resumed or cancelled.'
          }
        );
      }
      await scheduler.kick(sweep.id);
      res.json(await withWaiting((await sweeps.get(sweep.id))!));
    });
  };
  transition('pause', ['RUNNING', 'PAUSED'], 'PAUSED');
  transition('resume', ['PAUSED', 'RUNNING'], 'RUNNING');
  transition('cancel', ['RUNNING', 'PAUSED'], 'CANCELLED');

  return router;
}

function pick<T extends object, K extends keyof T>(
  source: T,
  keys: K[]
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys)
    if (source[key] !== undefined) picked[key] = source[key];
  return picked;
}
