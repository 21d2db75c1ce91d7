import { afterEach, describe, expect, it } from 'vitest';
import type {
  Baseline,
  Job,
  Leaderboard,
  Project,
  RegressionVerdict
} from '@jaxlab/schemas';
import type { ITestLabServer } from '../stand-ins/lab-server.js';
import { startLabServer } from '../stand-ins/lab-server.js';
import { playRun } from './playing-gateway.js';
import type { IPlayedRun } from './playing-gateway.js';

const MAIN_PY = 'def main(lr=0.1, opt="adam"):\n    pass\n';

let server: ITestLabServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  status = 200,
  user = 'alice'
): Promise<T> {
  const res = await (await server!.as(user)).call(method, path, { body });
  const json = res.status === 204 ? null : await res.json();
  expect(res.status, JSON.stringify(json)).toBe(status);
  return json as T;
}

async function project(name = 'board'): Promise<Project> {
  return call<Project>('POST', '/api/projects', { name, mainPy: MAIN_PY }, 201);
}

/** Submits a run through the API and plays it to its end. */
async function run(
  p: Project,
  body: Record<string, unknown>,
  played: IPlayedRun
): Promise<Job> {
  const { job } = await call<{ job: Job }>(
    'POST',
    '/api/jobs',
    { projectId: p.id, code: MAIN_PY, ...body },
    202
  );
  const claimed = await server!.store.queue.claimNext({
    hostId: 'host-1',
    capacity: (['cpu', 'gpu', 'tpu'] as const).map(accelerator => ({
      accelerator,
      maxDevices: 256
    })),
    leaseMs: 60_000
  });
  expect(claimed?.id).toBe(job.id);
  await playRun(server!.store, 'host-1', job.id, played);
  return call<Job>('GET', `/api/jobs/${job.id}`);
}

describe('GET /api/projects/{id}/leaderboard', () => {
  it('should rank completed runs by a metric in both directions, with tag, argument, date and accelerator filters, as the test computes it', async () => {
    server = await startLabServer();
    const p = await project();
    const other = await project('other');
    const runs: { job: Job; loss?: number }[] = [];
    // Deterministic but unordered values; some runs log the loss as a step
    // series, some print it as a Final line, one has none, one fails.
    for (let i = 0; i < 24; i++) {
      const loss = ((i * 7919) % 101) / 100;
      const played: IPlayedRun =
        i % 3 === 0 ? { series: { loss: [2, loss] } } : { values: { loss } };
      const job = await run(
        p,
        {
          args: { lr: i % 4 === 0 ? 0.1 : 0.01, opt: i % 2 ? 'sgd' : 'adam' },
          tags: i % 5 === 0 ? ['best-effort'] : [],
          accelerator: i % 6 === 0 ? 'gpu' : 'cpu'
        },
        played
      );
      runs.push({ job, loss });
    }
    const failed = await run(p, {}, { values: { loss: -100 }, fails: true });
    await run(p, {}, { values: { accuracy: 1 } });
    await run(other, {}, { values: { loss: -50 } });
    const reference = (
      keep: (r: { job: Job; loss?: number }) => boolean,
      direction: 'min' | 'max'
    ) =>
      runs
        .filter(keep)
        .sort(
          (a, b) =>
            (direction === 'min' ? a.loss! - b.loss! : b.loss! - a.loss!) ||
            a.job.createdAt.localeCompare(b.job.createdAt) ||
            a.job.id.localeCompare(b.job.id)
        )
        .map(r => [r.job.id, r.loss]);
    const board = async (query: string) => {
      const b = await call<Leaderboard>(
        'GET',
        `/api/projects/${p.id}/leaderboard?${query}`
      );
      b.rows.forEach((row, i) => expect(row.rank).toBe(i + 1));
      return b.rows.map(r => [r.job.id, r.value]);
    };
    expect(await board('metric=loss&direction=min&limit=10000')).toEqual(
      reference(() => true, 'min')
    );
    expect(await board('metric=loss&direction=max&limit=10000')).toEqual(
      reference(() => true, 'max')
    );
    expect((await board('metric=loss')).map(r => r[0])).not.toContain(
      failed.id
    );
    expect(await board('metric=loss&tag=best-effort')).toEqual(
      reference(r => r.job.tags?.includes('best-effort') ?? false, 'min')
    );
    expect(await board('metric=loss&arg=lr=0.1&arg=opt=%27adam%27')).toEqual(
      reference(r => r.job.args.lr === 0.1 && r.job.args.opt === 'adam', 'min')
    );
    expect(await board('metric=loss&accelerator=gpu')).toEqual(
      reference(r => r.job.accelerator === 'gpu', 'min')
    );
    const from = runs[10].job.createdAt;
    const to = runs[20].job.createdAt;
    expect(await board(`metric=loss&from=${from}&to=${to}`)).toEqual(
      reference(r => r.job.createdAt >= from && r.job.createdAt < to, 'min')
    );
    const top = await call<Leaderboard>(
      'GET',
      `/api/projects/${p.id}/leaderboard?metric=loss&limit=3`
    );
    expect(top.total).toBe(24);
    expect(top.rows).toHaveLength(3);

    const res = await (
      await server.as('alice')
    ).call(
      'GET',
      `/api/projects/${p.id}/leaderboard?metric=loss&direction=max&format=csv`
    );
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?leaderboard-loss.csv"?$/
    );
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'rank,loss,id,name,call,tags,accelerator,status,createdAt,finishedAt'
    );
    expect(lines.slice(1).map(l => l.split(',')[2])).toEqual(
      reference(() => true, 'max').map(r => r[0])
    );
    expect(lines[1]).toContain('"main(lr=');

    const bad = await (
      await server.as('alice')
    ).call('GET', `/api/projects/${p.id}/leaderboard?metric=loss&direction=up`);
    expect(bad.status).toBe(400);
    const bob = await (
      await server.as('bob')
    ).call('GET', `/api/projects/${p.id}/leaderboard?metric=loss`);
    expect(bob.status).toBe(404);
  });
});

describe('PUT /api/projects/{id}/baseline', () => {
  it('should check finished runs in both directions with absolute and relative tolerances, store the verdict with the run and serve it at /api/runs/{id}/regression', async () => {
    server = await startLabServer({ config: { regressionIntervalMs: 50 } });
    const p = await project();
    const base = await run(
      p,
      {},
      { series: { loss: [3, 2, 1.0] }, values: { accuracy: 0.9 } }
    );
    const earlier = await run(
      p,
      {},
      { series: { loss: [2, 1.2] }, values: { accuracy: 0.95 } }
    );
    const baseline = await call<Baseline>(
      'PUT',
      `/api/projects/${p.id}/baseline`,
      {
        jobId: base.id,
        metrics: [
          {
            name: 'loss',
            direction: 'min',
            tolerance: { kind: 'relative', value: 0.05 }
          },
          {
            name: 'accuracy',
            direction: 'max',
            tolerance: { kind: 'absolute', value: 0.02 }
          }
        ]
      }
    );
    expect(baseline.metrics.map(m => m.value)).toEqual([1.0, 0.9]);
    // Runs finished before the baseline are checked when it is set.
    const before = await call<Job>('GET', `/api/jobs/${earlier.id}`);
    expect(before.regression).toMatchObject({
      verdict: 'regressed',
      baselineJobId: base.id
    });
    expect(before.regression!.checks[0]).toMatchObject({
      name: 'loss',
      outcome: 'regressed',
      value: 1.2,
      allowed: 0.05
    });
    expect(before.regression!.checks[0].worseBy).toBeCloseTo(0.2);
    expect(before.regression!.checks[1]).toMatchObject({
      name: 'accuracy',
      outcome: 'pass',
      worseBy: 0
    });

    const cases: [number, number, RegressionVerdict['verdict'], string[]][] = [
      [1.04, 0.885, 'pass', ['pass', 'pass']], // within 5% and 0.02
      [1.06, 0.89, 'regressed', ['regressed', 'pass']], // loss 6% worse (min, relative)
      [0.5, 0.87, 'regressed', ['pass', 'regressed']], // accuracy 0.03 lower (max, absolute)
      [0.9, 0.99, 'pass', ['pass', 'pass']] // better in both
    ];
    const jobs: Job[] = [];
    for (const [loss, accuracy] of cases) {
      jobs.push(
        await run(p, {}, { series: { loss: [2, loss] }, values: { accuracy } })
      );
    }
    const missing = await run(p, {}, { values: { accuracy: 0.95 } });
    // The background check stores each verdict with its run: the runs list shows it.
    const listed = await (async () => {
      for (let i = 0; i < 200; i++) {
        const page = await call<{ items: Job[] }>(
          'GET',
          `/api/jobs?projectId=${p.id}&limit=200`
        );
        if (page.items.every(j => j.regression)) return page.items;
        await new Promise(r => setTimeout(r, 25));
      }
      throw new Error('verdicts were not stored');
    })();
    for (const [i, [, , verdict, outcomes]] of cases.entries()) {
      const stored = listed.find(j => j.id === jobs[i].id)!.regression!;
      expect(stored.verdict).toBe(verdict);
      expect(stored.checks.map(c => c.outcome)).toEqual(outcomes);
      const served = await call<RegressionVerdict>(
        'GET',
        `/api/runs/${jobs[i].id}/regression`
      );
      expect(served).toEqual(stored);
    }
    const regressed = await call<RegressionVerdict>(
      'GET',
      `/api/runs/${jobs[1].id}/regression`
    );
    expect(regressed.checks[0].worseBy).toBeCloseTo(0.06);
    expect(regressed.checks[0].allowed).toBeCloseTo(0.05);
    expect(
      (
        await call<RegressionVerdict>(
          'GET',
          `/api/runs/${missing.id}/regression`
        )
      ).verdict
    ).toBe('missing');

    // A new baseline makes the old verdicts stale: they are checked again.
    await call<Baseline>('PUT', `/api/projects/${p.id}/baseline`, {
      jobId: base.id,
      metrics: [
        {
          name: 'loss',
          direction: 'min',
          tolerance: { kind: 'absolute', value: 0.1 }
        }
      ]
    });
    expect(
      (
        await call<RegressionVerdict>(
          'GET',
          `/api/runs/${jobs[1].id}/regression`
        )
      ).verdict
    ).toBe('pass');

    await call('DELETE', `/api/projects/${p.id}/baseline`, undefined, 204);
    const none = await (
      await server.as('alice')
    ).call('GET', `/api/runs/${jobs[1].id}/regression`);
    expect(none.status).toBe(404);
    expect((await none.json()).code).toBe('BASELINE_NOT_FOUND');
  });

  it('should refuse a run of another project, an unfinished run, or a metric the run lacks, and answer 409 for a running run', async () => {
    server = await startLabServer();
    const p = await project();
    const q = await project('q');
    const done = await run(p, {}, { values: { loss: 1 } });
    const elsewhere = await run(q, {}, { values: { loss: 1 } });
    const metrics = [
      {
        name: 'loss',
        direction: 'min',
        tolerance: { kind: 'absolute', value: 0 }
      }
    ];
    for (const body of [
      { jobId: elsewhere.id, metrics },
      { jobId: done.id, metrics: [{ ...metrics[0], name: 'accuracy' }] },
      {
        jobId: done.id,
        metrics: [{ ...metrics[0], tolerance: { kind: 'relative', value: -1 } }]
      }
    ]) {
      const res = await (
        await server.as('alice')
      ).call('PUT', `/api/projects/${p.id}/baseline`, { body });
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('INVALID_REQUEST');
    }
    await call('PUT', `/api/projects/${p.id}/baseline`, {
      jobId: done.id,
      metrics
    });
    const { job } = await call<{ job: Job }>(
      'POST',
      '/api/jobs',
      { projectId: p.id, code: MAIN_PY },
      202
    );
    const res = await (
      await server.as('alice')
    ).call('GET', `/api/runs/${job.id}/regression`);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('JOB_NOT_FINISHED');
  });
});
