import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import type { IJobsServer } from './jobs-server.js';
import { MAIN_PY, startJobsServer, submitJob } from './jobs-server.js';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

describe('createLabServer() POST /api/jobs', () => {
  it('should write the job QUEUED and answer 202 with its id and Location at once', async () => {
    server = await startJobsServer();
    const started = performance.now();
    const { res, body } = await submitJob(server, {
      requirements: 'numpy>=1.26\n',
      args: { steps: 3 }
    });
    expect(performance.now() - started).toBeLessThan(500);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/jobs/${body.jobId}`);
    expect(body.job).toMatchObject({
      id: body.jobId,
      owner: await server.userId('alice'),
      status: 'QUEUED',
      code: MAIN_PY,
      requirements: 'numpy>=1.26\n',
      entrypoint: 'main',
      args: { steps: 3 },
      accelerator: 'cpu',
      projectId: null
    });
    expect(
      (await server.store.jobs.get(body.jobId, await server.userId('alice')))
        ?.status
    ).toBe('QUEUED');
  });

  it('should answer 400 INVALID_REQUEST for bodies the schema refuses', async () => {
    server = await startJobsServer();
    for (const bad of [
      {},
      { code: '' },
      { code: MAIN_PY, accelerator: 'quantum' },
      { code: MAIN_PY, args: { 'not-a-name': 1 } },
      { code: MAIN_PY, extra: 1 }
    ]) {
      const res = await server.call('POST', '/api/jobs', { body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect((await res.json()).code).toBe('INVALID_REQUEST');
    }
  });

  it('should answer 400 REQUIREMENTS_REJECTED naming the line and the rule, and queue nothing', async () => {
    server = await startJobsServer();
    for (const [requirements, line, rule] of [
      [
        'numpy>=1.26\noptax @ https://evil.example/optax.whl\n',
        2,
        'direct-reference'
      ],
      ['# pins\n\n--index-url https://evil.example/simple\n', 3, 'option'],
      ['six==not a version', 1, 'syntax']
    ] as const) {
      const { res, body } = await submitJob(server, { requirements });
      expect(res.status, requirements).toBe(400);
      expect(body).toMatchObject({
        code: 'REQUIREMENTS_REJECTED',
        message: expect.stringContaining(`line ${line}`),
        hint: expect.any(String),
        details: { line, rule }
      });
    }
    const page = await (await server.call('GET', '/api/jobs')).json();
    expect(page.items).toEqual([]);
  });

  it("should snapshot the project's other files with the job, and refuse a file a project may not have", async () => {
    server = await startJobsServer();
    const files = [
      { path: 'models.py', content: 'class MLP:\n    pass\n' },
      { path: 'utils/__init__.py', content: '' },
      { path: 'utils/data.py', content: 'BATCH = 32\n' }
    ];
    const { res, body } = await submitJob(server, { files });
    expect(res.status).toBe(202);
    expect(body.job.files).toEqual(files);
    const stored = await (
      await server.call('GET', `/api/jobs/${body.jobId}`)
    ).json();
    expect(stored.files).toEqual(files);
    expect((await submitJob(server)).body.job.files).toEqual([]);
    for (const [path, rule] of [
      ['../../etc/x.py', 'parent'],
      ['main.py', 'reserved'],
      ['.pth.txt', 'hidden']
    ]) {
      const refused = await submitJob(server, {
        files: [{ path, content: '' }]
      });
      expect(refused.res.status, path).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'PROJECT_FILE_REJECTED',
        details: { path, rule }
      });
    }
    const page = await (await server.call('GET', '/api/jobs')).json();
    expect(page.items).toHaveLength(2);
    for (const item of page.items) expect(item).not.toHaveProperty('files');
  });

  it('should refuse an entrypoint that is not designated, listing the allowed ones', async () => {
    server = await startJobsServer();
    const { res, body } = await submitJob(server, { entrypoint: 'os_system' });
    expect(res.status).toBe(400);
    expect(body).toMatchObject({
      code: 'INVALID_REQUEST',
      details: { allowed: ['main', 'train_step'] }
    });
  });

  it("should take the project's accelerator, time limit and designated functions when the body leaves them out", async () => {
    server = await startJobsServer();
    const project = await server.store.projects.create(
      await server.userId('alice'),
      {
        name: 'p',
        designatedFunctions: ['fit', 'evaluate'],
        accelerator: 'tpu',
        timeLimitMs: 120_000
      }
    );
    const ok = await submitJob(server, { projectId: project.id });
    expect(ok.res.status).toBe(202);
    expect(ok.body.job).toMatchObject({
      projectId: project.id,
      entrypoint: 'fit',
      accelerator: 'tpu',
      timeLimitMs: 120_000
    });
    const mine = await submitJob(server, {
      projectId: project.id,
      entrypoint: 'evaluate',
      accelerator: 'cpu',
      timeLimitMs: 5000
    });
    expect(mine.body.job).toMatchObject({
      entrypoint: 'evaluate',
      accelerator: 'cpu',
      timeLimitMs: 5000
    });
    const refused = await submitJob(server, {
      projectId: project.id,
      entrypoint: 'main'
    });
    expect(refused.res.status).toBe(400);
    expect(refused.body.details).toEqual({ allowed: ['fit', 'evaluate'] });
  });

  it("should answer 404 PROJECT_NOT_FOUND for a missing or another user's project", async () => {
    server = await startJobsServer();
    const bobs = await server.store.projects.create(
      await server.userId('bob'),
      {
        name: 'b'
      }
    );
    for (const projectId of ['nope', bobs.id]) {
      const { res, body } = await submitJob(server, { projectId });
      expect(res.status).toBe(404);
      expect(body.code).toBe('PROJECT_NOT_FOUND');
    }
  });
});

describe('createLabServer() error envelope', () => {
  it('should answer every error as {reason, message, code, hint} with the right status', async () => {
    const boom = express.Router().get('/boom', () => {
      throw new Error('secret detail at /etc/passwd');
    });
    server = await startJobsServer({
      routers: [{ path: '/api', router: boom }],
      config: { bodyLimitBytes: 10_000 }
    });
    const cases: Array<[Promise<Response>, number, string]> = [
      [
        server.call('POST', '/api/jobs', { raw: '{"code": ' }),
        400,
        'INVALID_REQUEST'
      ],
      [
        server.call('POST', '/api/jobs', {
          body: { code: 'x'.repeat(20_000) }
        }),
        413,
        'PAYLOAD_TOO_LARGE'
      ],
      [server.call('GET', '/api/no/such/route'), 404, 'NOT_FOUND'],
      [server.call('GET', '/api/jobs', { user: '' }), 401, 'UNAUTHORIZED'],
      [server.call('GET', '/api/jobs?limit=0'), 400, 'INVALID_REQUEST'],
      [server.call('GET', '/api/jobs?status=DONE'), 400, 'INVALID_REQUEST'],
      [server.call('GET', '/api/jobs?cursor=garbage'), 400, 'INVALID_REQUEST'],
      [server.call('DELETE', '/api/jobs'), 405, 'INVALID_REQUEST'],
      [server.call('GET', '/api/boom'), 500, 'INTERNAL']
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text);
      expect(body.code).toBe(code);
      expect(typeof body.message).toBe('string');
      expect(body).toHaveProperty('reason');
      expect(text).not.toMatch(/passwd|at .*\.ts:\d+/);
    }
  });

  it('should answer health and the OpenAPI document without a user', async () => {
    server = await startJobsServer();
    const health = await server.call('GET', '/api/health', { user: '' });
    expect(await health.json()).toMatchObject({ ok: true, store: 'sqlite' });
    expect(
      (await server.call('GET', '/api/openapi.json', { user: '' })).status
    ).toBe(200);
  });
});

describe('createLabServer() GET /api/jobs', () => {
  it('should list only the caller’s jobs, newest first, filtered and paged by cursor', async () => {
    server = await startJobsServer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submitJob(server)).body.jobId);
    await submitJob(server, {}, 'bob');
    await server.call('POST', `/api/jobs/${ids[0]}/cancel`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await server.call(
        'GET',
        `/api/jobs?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      );
      const page = await res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const item of page.items) expect(item).not.toHaveProperty('code');
      seen.push(...page.items.map((j: { id: string }) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const cancelled = await (
      await server.call('GET', '/api/jobs?status=CANCELLED,FAILED')
    ).json();
    expect(cancelled.items.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
    const queued = await (
      await server.call('GET', '/api/jobs?status=QUEUED&projectId=none')
    ).json();
    expect(queued.items).toEqual([]);
  });
});

describe('createLabServer() POST /api/jobs with devices and a profile', () => {
  it('should keep the number of devices and the profile request a job asked for', async () => {
    server = await startJobsServer();
    const { body } = await submitJob(server, {
      accelerator: 'gpu',
      deviceCount: 2,
      profile: true
    });
    expect(body.job).toMatchObject({ deviceCount: 2, profile: true });
    const res = await server.call('GET', `/api/jobs/${body.jobId}`);
    expect(await res.json()).toMatchObject({ deviceCount: 2, profile: true });
  });
});

describe('createLabServer() GET /api/hosts', () => {
  it('should list hosts heard from recently with the accelerators they offer, the lost ones and the queue', async () => {
    server = await startJobsServer();
    const now = new Date().toISOString();
    await server.store.hosts.upsert({
      hostId: 'tpu-1',
      gatewayVersion: '0.1.0',
      accelerators: [
        { kind: 'tpu', count: 4 },
        { kind: 'cpu', count: 1 }
      ],
      maxConcurrentJobs: 2,
      lastSeenAt: now
    });
    await server.store.hosts.upsert({
      hostId: 'old',
      gatewayVersion: '0.1.0',
      accelerators: [{ kind: 'gpu', count: 1 }],
      maxConcurrentJobs: 1,
      lastSeenAt: new Date(Date.now() - 2 * 3_600_000).toISOString()
    });
    await server.store.hosts.upsert({
      hostId: 'silent',
      gatewayVersion: '0.1.0',
      accelerators: [{ kind: 'gpu', count: 2 }],
      maxConcurrentJobs: 2,
      lastSeenAt: new Date(Date.now() - 120_000).toISOString()
    });
    for (const accelerator of ['tpu', 'tpu', 'gpu'])
      await server.call('POST', '/api/jobs', {
        body: { code: 'def main():\n    pass\n', accelerator }
      });
    const body = await (await server.call('GET', '/api/hosts')).json();
    expect(body.items.map((h: { hostId: string }) => h.hostId)).toEqual([
      'tpu-1'
    ]);
    expect(body.accelerators).toEqual(['cpu', 'tpu']);
    expect(body.lost.map((h: { hostId: string }) => h.hostId)).toEqual([
      'silent'
    ]);
    expect(body.queued).toEqual({ tpu: 2, gpu: 1 });
  });
});
