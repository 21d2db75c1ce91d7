import { afterEach, describe, expect, it } from 'vitest';
import type {
  FunctionSignatures,
  Job,
  JobPage,
  RunComparison,
  SeriesData
} from '@jaxlab/schemas';
import type { IJobsServer } from './jobs-server.js';
import { MAIN_PY, runAsGateway, startJobsServer } from './jobs-server.js';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body as T;
}

async function submit(
  body: Record<string, unknown> = {},
  user = 'alice'
): Promise<Job> {
  const res = await server.call('POST', '/api/jobs', {
    body: { code: MAIN_PY, ...body },
    user
  });
  return (await json<{ job: Job }>(res, 202)).job;
}

/** A finished run whose loss series fell from 1 over `n` steps, ending at `last`. */
async function finishedRun(
  n: number,
  last: number,
  args: Record<string, unknown>
): Promise<Job> {
  const job = await submit({ args });
  await runAsGateway(server.store, job.id);
  const steps = Array.from({ length: n }, (_, i) => i);
  const values = steps.map(i => 1 - ((1 - last) * i) / (n - 1));
  const summary = await server.store.series.append(job.id, {
    loss: { steps, values, times: steps.map(s => 1e12 + s) }
  });
  await server.store.events.append(
    job.id,
    [
      { type: 'job:series', progress: { step: n - 1, points: n }, summary },
      {
        type: 'job:metrics',
        metrics: {
          compilationTimeMs: 100,
          executionTimeMs: 1000,
          values: { accuracy: 1 - last },
          device: { platform: 'cpu', count: 1 }
        }
      },
      { type: 'job:status', status: 'COMPLETED' }
    ],
    { hostId: 'host-1' }
  );
  return job;
}

describe('createLabServer() experiments', () => {
  it('should serve a run’s series cut into buckets, a step range, and only the names asked for', async () => {
    server = await startJobsServer();
    const job = await finishedRun(100_000, 0.01, { lr: 0.1 });
    const data = await json<SeriesData>(
      await server.call('GET', `/api/jobs/${job.id}/series?buckets=1000`)
    );
    expect(data.buckets).toBe(1000);
    expect(data.series).toHaveLength(1);
    const [loss] = data.series;
    expect(loss).toMatchObject({
      name: 'loss',
      count: 100_000,
      downsampled: true
    });
    expect(loss.step).toHaveLength(1000);
    expect(loss.max![0]).toBe(1);
    expect(loss.last.at(-1)).toBeCloseTo(0.01);
    const zoom = await json<SeriesData>(
      await server.call(
        'GET',
        `/api/jobs/${job.id}/series?fromStep=10&toStep=19&names=loss`
      )
    );
    expect(zoom.series[0].step).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19
    ]);
    const none = await json<SeriesData>(
      await server.call('GET', `/api/jobs/${job.id}/series?names=accuracy`)
    );
    expect(none.series).toEqual([]);
    expect(
      (await server.call('GET', `/api/jobs/${job.id}/series`, { user: 'bob' }))
        .status
    ).toBe(404);
    expect(
      (await server.call('GET', `/api/jobs/${job.id}/series?buckets=0`)).status
    ).toBe(400);
  });

  it('should name, tag and annotate a run with PATCH, for its owner only', async () => {
    server = await startJobsServer();
    const job = await submit({ name: 'first', tags: ['baseline'] });
    expect(job).toMatchObject({ name: 'first', tags: ['baseline'] });
    const patched = await json<Job>(
      await server.call('PATCH', `/api/jobs/${job.id}`, {
        body: { name: 'lr 0.1', tags: ['baseline', 'lr=0.1'], notes: 'works' }
      })
    );
    expect(patched).toMatchObject({
      name: 'lr 0.1',
      tags: ['baseline', 'lr=0.1'],
      notes: 'works'
    });
    for (const bad of [{}, { tags: ['has space'] }, { status: 'COMPLETED' }]) {
      const res = await server.call('PATCH', `/api/jobs/${job.id}`, {
        body: bad
      });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(
      (
        await server.call('PATCH', `/api/jobs/${job.id}`, {
          body: { name: 'x' },
          user: 'bob'
        })
      ).status
    ).toBe(404);
  });

  it('should filter the runs list by status, tag, name, argument and metric, across projects', async () => {
    server = await startJobsServer();
    const good = await finishedRun(10, 0.05, { lr: 0.1, opt: 'adam' });
    const bad = await finishedRun(10, 0.5, { lr: 0.01, opt: 'sgd' });
    await server.call('PATCH', `/api/jobs/${good.id}`, {
      body: { name: 'Tuned run', tags: ['best'] }
    });
    const queued = await submit({ args: { lr: 0.1 } });
    const ids = async (query: string): Promise<string[]> =>
      (
        await json<JobPage>(await server.call('GET', `/api/jobs?${query}`))
      ).items.map(j => j.id);
    expect(await ids('metric=loss<0.1')).toEqual([good.id]);
    expect(await ids(encodeURI('metric=accuracy>=0.5'))).toEqual(
      [good.id, bad.id].sort().reverse()
    );
    expect(await ids('arg=lr=0.1')).toEqual([queued.id, good.id]);
    expect(await ids("arg=opt='sgd'")).toEqual([bad.id]);
    expect(await ids('arg=lr=0.1&arg=opt=adam')).toEqual([good.id]);
    expect(await ids('tag=best')).toEqual([good.id]);
    expect(await ids('q=tuned')).toEqual([good.id]);
    expect(await ids('status=QUEUED')).toEqual([queued.id]);
    for (const badQuery of [
      'metric=loss',
      'metric=loss<abc',
      'arg=novalue',
      'arg=a.b=1'
    ]) {
      expect(
        (await server.call('GET', `/api/jobs?${badQuery}`)).status,
        badQuery
      ).toBe(400);
    }
  });

  it('should give a queued run its place in the queue', async () => {
    server = await startJobsServer();
    const first = await submit({}, 'bob');
    const mine = await submit();
    expect(
      (await json<Job>(await server.call('GET', `/api/jobs/${mine.id}`)))
        .queuePosition
    ).toBe(2);
    await runAsGateway(server.store, first.id);
    expect(
      (await json<Job>(await server.call('GET', `/api/jobs/${mine.id}`)))
        .queuePosition
    ).toBe(1);
    const page = await json<JobPage>(await server.call('GET', '/api/jobs'));
    expect(page.items[0].queuePosition).toBe(1);
  });

  it('should compare runs: parameters with which differ, final/min/max per metric', async () => {
    server = await startJobsServer();
    const a = await finishedRun(10, 0.1, { lr: 0.1, steps: 10 });
    const b = await finishedRun(10, 0.3, { lr: 0.01, steps: 10 });
    const c = await finishedRun(10, 0.2, { lr: 0.1, steps: 10, seed: 1 });
    await server.store.events.setManifest(c.id, {
      codeSha256: '0'.repeat(64),
      requirementsSha256: '0'.repeat(64),
      entrypoint: 'main',
      args: c.args,
      host: 'host-1',
      gatewayVersion: '0.0.0',
      jaxPlugins: { 'jax-cuda13-plugin': '0.8.1' },
      driver: 'NVIDIA 580.95.05, cuda 13000'
    });
    const comparison = await json<RunComparison>(
      await server.call(
        'GET',
        `/api/experiments/compare?jobs=${a.id},${b.id},${c.id}`
      )
    );
    expect(comparison.runs.map(r => r.id)).toEqual([a.id, b.id, c.id]);
    const param = (key: string) =>
      comparison.parameters.find(p => p.key === key)!;
    expect(param('call').values).toEqual([
      'main(lr=0.1, steps=10)',
      'main(lr=0.01, steps=10)',
      'main(lr=0.1, steps=10, seed=1)'
    ]);
    expect(param('args.lr')).toMatchObject({
      values: ['0.1', '0.01', '0.1'],
      differs: true
    });
    expect(param('args.steps')).toMatchObject({
      values: ['10', '10', '10'],
      differs: false
    });
    expect(param('args.seed')).toMatchObject({
      values: [null, null, '1'],
      differs: true
    });
    expect(param('code').differs).toBe(false);
    // Where each ran: the one device badge, then plugins and driver.
    expect(param('device')).toMatchObject({
      values: ['cpu · 1 × cpu', 'cpu · 1 × cpu', 'cpu · 1 × cpu'],
      differs: false
    });
    expect(param('jaxPlugins.jax-cuda13-plugin').values).toEqual([
      null,
      null,
      '0.8.1'
    ]);
    expect(param('driver')).toMatchObject({
      values: [null, null, 'NVIDIA 580.95.05, cuda 13000'],
      differs: true
    });
    const loss = comparison.metrics.find(m => m.name === 'loss')!;
    expect(loss.source).toBe('series');
    expect(loss.final.map(v => Number(v!.toFixed(3)))).toEqual([0.1, 0.3, 0.2]);
    expect(loss.max).toEqual([1, 1, 1]);
    expect(comparison.metrics.find(m => m.name === 'accuracy')).toMatchObject({
      source: 'value'
    });
    expect(
      (
        await server.call('GET', `/api/experiments/compare?jobs=${a.id}`, {
          user: 'bob'
        })
      ).status
    ).toBe(404);
    expect(
      (await server.call('GET', '/api/experiments/compare?jobs=')).status
    ).toBe(400);
  });

  it('should read the designated functions’ signatures without running main.py', async () => {
    server = await startJobsServer();
    const code =
      'import jax\n\ndef main(steps: int = 1000, lr=0.1, *, name="run"):\n    """Train."""\n    raise SystemExit(1)\n';
    const answer = await json<FunctionSignatures>(
      await server.call('POST', '/api/signatures', {
        body: { code, designatedFunctions: ['main'] }
      })
    );
    expect(answer.functions[0]).toMatchObject({
      name: 'main',
      defined: true,
      doc: 'Train.'
    });
    expect(
      answer.functions[0].params.map(p => [
        p.name,
        p.kind,
        p.default?.literal,
        p.annotation
      ])
    ).toEqual([
      ['steps', 'positional-or-keyword', 1000, 'int'],
      ['lr', 'positional-or-keyword', 0.1, undefined],
      ['name', 'keyword-only', 'run', undefined]
    ]);
    expect(
      (await server.call('POST', '/api/signatures', { body: { code: 1 } }))
        .status
    ).toBe(400);
  });
});
