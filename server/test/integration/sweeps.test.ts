import { afterEach, describe, expect, it } from 'vitest';
import type { Job, Project, Sweep, SweepCreate } from '@jaxlab/schemas';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ITestLabServer } from '../stand-ins/lab-server.js';
import { startLabServer } from '../stand-ins/lab-server.js';
import { PlayingGateway } from './playing-gateway.js';
import type { IPlayedRun } from './playing-gateway.js';

const MAIN_PY = 'def main(lr=0.1, width=8):\n    pass\n';
const FAST = { config: { sweepIntervalMs: 50, hostStaleAfterMs: 60_000 } };

let server: ITestLabServer | undefined;
let gateway: PlayingGateway | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await gateway?.stop();
  await server?.close();
  await cleanup?.();
  server = gateway = cleanup = undefined;
});

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  status = 200
): Promise<T> {
  const res = await (await server!.as('alice')).call(method, path, { body });
  const json = res.status === 204 ? null : await res.json();
  expect(res.status, JSON.stringify(json)).toBe(status);
  return json as T;
}

async function project(): Promise<Project> {
  return call<Project>(
    'POST',
    '/api/projects',
    { name: 'sweeps', mainPy: MAIN_PY },
    201
  );
}

async function startSweep(
  p: Project,
  body: Partial<SweepCreate>
): Promise<Sweep> {
  return call<Sweep>(
    'POST',
    '/api/sweeps',
    {
      projectId: p.id,
      code: MAIN_PY,
      target: { metric: 'loss', direction: 'min' },
      ...body
    },
    201
  );
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out; last: ${JSON.stringify(value).slice(0, 2000)}`
      );
    await new Promise(r => setTimeout(r, 25));
  }
}

const sweepOf = (id: string) => () => call<Sweep>('GET', `/api/sweeps/${id}`);
const finished = (s: Sweep) => s.status === 'COMPLETED';

/** loss falls to lr * width / 10 (lower lr and width are better). */
const lossOf = (args: Record<string, unknown>): number =>
  (Number(args.lr) * Number(args.width ?? 8)) / 10;

describe('POST /api/sweeps', () => {
  it('should materialise a grid (last parameter fastest, capped) and a seeded random space within its ranges', async () => {
    server = await startLabServer(FAST);
    const p = await project();
    const grid = await startSweep(p, {
      args: { width: 4 },
      space: {
        kind: 'grid',
        parameters: {
          lr: { values: [0.1, 0.01] },
          width: { values: [8, 16, 32] }
        },
        runCap: 5
      }
    });
    expect(grid.trials.map(t => t.args)).toEqual([
      { lr: 0.1, width: 8 },
      { lr: 0.1, width: 16 },
      { lr: 0.1, width: 32 },
      { lr: 0.01, width: 8 },
      { lr: 0.01, width: 16 }
    ]);
    const space: SweepCreate['space'] = {
      kind: 'random',
      seed: 7,
      runCap: 50,
      parameters: {
        lr: { distribution: 'log-uniform', min: 1e-4, max: 1e-1 },
        width: { distribution: 'int', min: 2, max: 5 },
        momentum: { distribution: 'uniform', min: 0.5, max: 0.9 },
        opt: { values: ['adam', 'sgd'] }
      }
    };
    const a = await startSweep(p, { space });
    const b = await startSweep(p, { space });
    expect(a.trials.map(t => t.args)).toEqual(b.trials.map(t => t.args));
    for (const { args } of a.trials) {
      expect(args.lr).toBeGreaterThanOrEqual(1e-4);
      expect(args.lr).toBeLessThanOrEqual(1e-1);
      expect([2, 3, 4, 5]).toContain(args.width);
      expect(args.momentum).toBeGreaterThanOrEqual(0.5);
      expect(args.momentum).toBeLessThanOrEqual(0.9);
      expect(['adam', 'sgd']).toContain(args.opt);
    }
    // Log-uniform: about as many draws below 1e-2.5 as above.
    const low = a.trials.filter(t => Number(t.args.lr) < 10 ** -2.5).length;
    expect(low).toBeGreaterThan(10);
    expect(low).toBeLessThan(40);
    expect(new Set(a.trials.map(t => t.args.width)).size).toBe(4);
    const c = await startSweep(p, { space: { ...space, seed: 8 } });
    expect(c.trials.map(t => t.args)).not.toEqual(a.trials.map(t => t.args));

    const bad = await (
      await server.as('alice')
    ).call('POST', '/api/sweeps', {
      body: {
        projectId: p.id,
        code: MAIN_PY,
        target: { metric: 'loss', direction: 'min' },
        space: {
          kind: 'grid',
          runCap: 3,
          parameters: { lr: { distribution: 'uniform', min: 0, max: 1 } }
        }
      }
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('INVALID_REQUEST');
  });

  it('should run every trial as a tagged job, never count a failed trial as best, and say why it failed', async () => {
    server = await startLabServer(FAST);
    const p = await project();
    // Trial lr=0 "fails" (as a diverged run would): in a minimise search a
    // failed trial scored 0.0 would win; here it has no value.
    gateway = await new PlayingGateway(server.store, (args): IPlayedRun =>
      args.lr === 0 ? { fails: true } : { series: { loss: [1, lossOf(args)] } }
    ).start();
    const sweep = await startSweep(p, {
      space: {
        kind: 'grid',
        runCap: 10,
        parameters: { lr: { values: [0.5, 0, 0.2] }, width: { values: [8] } }
      },
      maxConcurrent: 2
    });
    const done = await until(sweepOf(sweep.id), finished);
    expect(done.trials.map(t => t.state)).toEqual([
      'COMPLETED',
      'FAILED',
      'COMPLETED'
    ]);
    expect(done.trials[1]).toMatchObject({ failure: { code: 'USER_ERROR' } });
    expect(done.trials[1].value).toBeUndefined();
    expect(done.best).toEqual({
      index: 2,
      jobId: done.trials[2].jobId,
      value: lossOf({ lr: 0.2, width: 8 })
    });
    const job = await call<Job>('GET', `/api/jobs/${done.trials[0].jobId}`);
    expect(job.tags).toEqual([`sweep:${sweep.id}`, `sweep:${sweep.id}:0`]);
    expect(job.args).toEqual({ lr: 0.5, width: 8 });
    expect(job.projectId).toBe(p.id);
    expect(gateway.claimed).toHaveLength(3);
  });

  it('should keep at most min(maxConcurrent, free slots of the hosts) trials in flight', async () => {
    server = await startLabServer(FAST);
    const p = await project();
    gateway = await new PlayingGateway(
      server.store,
      args => ({ series: { loss: [1, 0.5, lossOf(args)] } }),
      { slots: 2, stepDelayMs: 40 }
    ).start();
    const sweep = await startSweep(p, {
      space: {
        kind: 'grid',
        runCap: 6,
        parameters: { lr: { values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] } }
      },
      maxConcurrent: 5
    });
    let peakInFlight = 0;
    await until(sweepOf(sweep.id), s => {
      peakInFlight = Math.max(
        peakInFlight,
        s.trials.filter(
          t => t.state === 'SUBMITTED' || t.state === 'SUBMITTING'
        ).length
      );
      return finished(s);
    });
    expect(gateway.peakRunning).toBe(2);
    expect(peakInFlight).toBeLessThanOrEqual(2);
    expect(gateway.claimed).toHaveLength(6);
  });

  it('should stop a clearly worse trial by the median rule, and only once enough trials completed', async () => {
    server = await startLabServer(FAST);
    const p = await project();
    const curve = (end: number) =>
      Array.from({ length: 30 }, (_, i) => 1 - ((1 - end) * i) / 29);
    gateway = await new PlayingGateway(
      server.store,
      args => ({
        series: {
          loss: args.lr === 9 ? Array(30).fill(5) : curve(Number(args.lr))
        }
      }),
      { stepDelayMs: 15 }
    ).start();
    const sweep = await startSweep(p, {
      space: {
        kind: 'grid',
        runCap: 5,
        parameters: { lr: { values: [0.1, 0.2, 0.3, 9, 0.15] } }
      },
      earlyStopping: { rule: 'median', metric: 'loss', minCompleted: 3 }
    });
    const done = await until(sweepOf(sweep.id), finished);
    expect(done.trials.map(t => t.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'STOPPED',
      'COMPLETED'
    ]);
    const stopped = done.trials[3];
    expect(stopped.stoppedAt!.value).toBe(5);
    expect(stopped.stoppedAt!.step).toBeLessThan(29);
    expect(stopped.stoppedAt!.median).toBeLessThanOrEqual(1);
    const job = await call<Job>('GET', `/api/jobs/${stopped.jobId}`);
    expect(job.status).toBe('CANCELLED');
    expect(done.best?.index).toBe(0);
  });

  it('should pause, and resume after the server and the gateway restart mid-sweep, with no trial run twice or lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jxl-sweep-'));
    const path = join(dir, 'jaxlab.db');
    cleanup = () => rm(dir, { recursive: true, force: true });
    let store: IStore = await openStore({ sqlite: { path } });
    server = await startLabServer({ ...FAST, store });
    const p = await project();
    const behave = (args: Record<string, unknown>): IPlayedRun => ({
      series: { loss: [1, 0.8, lossOf(args)] }
    });
    gateway = await new PlayingGateway(store, behave, {
      stepDelayMs: 30
    }).start();
    const sweep = await startSweep(p, {
      space: {
        kind: 'grid',
        runCap: 8,
        parameters: { lr: { values: [0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1] } }
      },
      maxConcurrent: 1
    });
    await until(
      sweepOf(sweep.id),
      s => s.trials.filter(t => t.state === 'COMPLETED').length >= 2
    );
    const paused = await call<Sweep>('POST', `/api/sweeps/${sweep.id}/pause`);
    expect(paused.status).toBe('PAUSED');
    // Restart everything: the gateway finishes what it holds, then stops.
    await gateway.stop();
    const firstClaims = [...gateway.claimed];
    await server.close();
    await store.dispose();
    // While down, the paused sweep's state is all in the store.
    store = await openStore({ sqlite: { path } });
    server = await startLabServer({ ...FAST, store });
    await new Promise(r => setTimeout(r, 200));
    const whilePaused = await call<Sweep>('GET', `/api/sweeps/${sweep.id}`);
    expect(whilePaused.status).toBe('PAUSED');
    expect(
      whilePaused.trials.filter(t => t.state === 'PENDING').length
    ).toBeGreaterThan(0);
    gateway = await new PlayingGateway(store, behave, {
      stepDelayMs: 30
    }).start();
    await call<Sweep>('POST', `/api/sweeps/${sweep.id}/resume`);
    // A second restart while a trial is in flight.
    await until(
      sweepOf(sweep.id),
      s => s.trials.filter(t => t.state === 'COMPLETED').length >= 5
    );
    await server.close();
    server = await startLabServer({ ...FAST, store });
    const done = await until(sweepOf(sweep.id), finished);
    await gateway.stop();
    const claims = [...firstClaims, ...gateway.claimed];
    expect(done.trials.every(t => t.state === 'COMPLETED')).toBe(true);
    const jobIds = done.trials.map(t => t.jobId);
    expect(new Set(jobIds).size).toBe(8);
    expect(claims.sort()).toEqual([...jobIds].sort());
    // No job of the sweep besides the trials' own.
    const page = await call<{ items: Job[] }>(
      'GET',
      `/api/jobs?tag=sweep:${sweep.id}&limit=200`
    );
    expect(page.items.map(j => j.id).sort()).toEqual([...jobIds].sort());
    expect(done.best?.index).toBe(7);
    await server.close();
    server = undefined;
    await store.dispose();
  });

  it('should link a trial left SUBMITTING by a crash to the job it made, or make it', async () => {
    server = await startLabServer({
      config: { ...FAST.config, sweepIntervalMs: 60_000 }
    });
    const p = await project();
    const sweep = await startSweep(p, {
      space: {
        kind: 'grid',
        runCap: 3,
        parameters: { lr: { values: [0.1, 0.2, 0.3] } }
      },
      maxConcurrent: 3
    });
    // No host yet: nothing was submitted, and the sweep says why.
    expect(sweep.trials.every(t => t.state === 'PENDING')).toBe(true);
    expect(sweep.waitingFor).toMatch(/CPU/);
    const store = server.store;
    // As a scheduler that died between its two writes would leave it: trial
    // 0 SUBMITTING with its job made, trial 1 SUBMITTING without one.
    const made = await store.jobs.create((await server.as('alice')).id, {
      projectId: p.id,
      code: MAIN_PY,
      requirements: '',
      entrypoint: 'main',
      args: { lr: 0.1 },
      accelerator: 'cpu',
      tags: [`sweep:${sweep.id}`, `sweep:${sweep.id}:0`]
    });
    await store.sweeps.mutate(sweep.id, s => ({
      ...s,
      trials: s.trials.map(t =>
        t.index < 2 ? { ...t, state: 'SUBMITTING' } : t
      )
    }));
    gateway = await new PlayingGateway(
      store,
      args => ({ values: { loss: lossOf({ ...args, width: 8 }) } }),
      {
        slots: 3
      }
    ).start();
    await server.lab.close();
    server = await startLabServer({ ...FAST, store });
    const done = await until(sweepOf(sweep.id), finished);
    expect(done.trials[0].jobId).toBe(made.id);
    expect(gateway.claimed).toHaveLength(3);
    expect(new Set(gateway.claimed).size).toBe(3);
  });
});
