import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import type { IJobsServer } from './jobs-server.js';
import {
  MAIN_PY,
  logLines,
  runAsGateway,
  startJobsServer
} from './jobs-server.js';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

async function submit(body: Record<string, unknown> = {}, user = 'alice') {
  const res = await server.call('POST', '/api/jobs', {
    body: { code: MAIN_PY, ...body },
    user
  });
  return { res, body: await res.json() };
}

describe('createLabServer() POST /api/jobs', () => {
  it('should write the job QUEUED and answer 202 with its id and Location at once', async () => {
    server = await startJobsServer();
    const started = performance.now();
    const { res, body } = await submit({
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
      const { res, body } = await submit({ requirements });
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
    const { res, body } = await submit({ files });
    expect(res.status).toBe(202);
    expect(body.job.files).toEqual(files);
    const stored = await (
      await server.call('GET', `/api/jobs/${body.jobId}`)
    ).json();
    expect(stored.files).toEqual(files);
    expect((await submit()).body.job.files).toEqual([]);
    for (const [path, rule] of [
      ['../../etc/x.py', 'parent'],
      ['main.py', 'reserved'],
      ['.pth.txt', 'hidden']
    ]) {
      const refused = await submit({ files: [{ path, content: '' }] });
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
    const { res, body } = await submit({ entrypoint: 'os_system' });
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
    const ok = await submit({ projectId: project.id });
    expect(ok.res.status).toBe(202);
    expect(ok.body.job).toMatchObject({
      projectId: project.id,
      entrypoint: 'fit',
      accelerator: 'tpu',
      timeLimitMs: 120_000
    });
    const mine = await submit({
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
    const refused = await submit({ projectId: project.id, entrypoint: 'main' });
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
      const { res, body } = await submit({ projectId });
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
    for (let i = 0; i < 5; i++) ids.push((await submit()).body.jobId);
    await submit({}, 'bob');
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

describe('createLabServer() GET /api/jobs/{id}/logs', () => {
  it('should page log chunks by sequence and say when the log is complete', async () => {
    server = await startJobsServer();
    const { jobId } = (await submit()).body;
    await runAsGateway(server.store, jobId, logLines(1, 25));
    const texts: string[] = [];
    let after = 0;
    let done = false;
    let pages = 0;
    let ended = false;
    while (!done && pages < 10) {
      const page = await (
        await server.call(
          'GET',
          `/api/jobs/${jobId}/logs?after=${after}&limit=10`
        )
      ).json();
      texts.push(...page.items.map((c: { text: string }) => c.text));
      if (page.items.length === 0 && !ended) {
        ended = true;
        await server.store.events.append(
          jobId,
          [{ type: 'job:status', status: 'COMPLETED' }],
          { hostId: 'host-1' }
        );
      }
      after = page.nextAfter;
      done = page.done;
      pages++;
    }
    expect(texts).toEqual(
      Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`)
    );
    expect(done).toBe(true);
  });
});

describe('createLabServer() GET /api/jobs/{id}/logs (large chunks)', () => {
  it('should bound a page by bytes as well as by chunks, and lose nothing across pages', async () => {
    server = await startJobsServer();
    const { jobId } = (await submit()).body;
    // 40 chunks of 256 KiB (the gateway's largest): 10 MiB in all.
    const chunkText = (i: number): string =>
      `${String(i).padStart(4, '0')}${'x'.repeat(256 * 1024 - 5)}\n`;
    await runAsGateway(
      server.store,
      jobId,
      Array.from({ length: 40 }, (_, i) => ({
        type: 'job:log' as const,
        stream: 'stdout' as const,
        text: chunkText(i)
      }))
    );
    const pageBytes: number[] = [];
    const texts: string[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages++) {
      const res = await server.call(
        'GET',
        `/api/jobs/${jobId}/logs?after=${after}`
      );
      const page = await res.json();
      if (page.items.length === 0) break;
      pageBytes.push(
        page.items.reduce(
          (sum: number, c: { text: string }) => sum + Buffer.byteLength(c.text),
          0
        )
      );
      texts.push(...page.items.map((c: { text: string }) => c.text));
      after = page.nextAfter;
    }
    expect(Math.max(...pageBytes)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(pageBytes.length).toBeGreaterThanOrEqual(3);
    expect(texts).toHaveLength(40);
    expect(texts.every((t, i) => t === chunkText(i))).toBe(true);
  });
});

describe('createLabServer() POST /api/jobs/{id}/cancel', () => {
  it('should cancel a queued job at once, flag a running one, and refuse a finished one with 409', async () => {
    server = await startJobsServer();
    const queued = (await submit()).body.jobId;
    const res = await server.call('POST', `/api/jobs/${queued}/cancel`);
    expect(res.status).toBe(202);
    expect((await res.json()).status).toBe('CANCELLED');
    const again = await server.call('POST', `/api/jobs/${queued}/cancel`);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('JOB_FINISHED');

    const running = (await submit()).body.jobId;
    await runAsGateway(server.store, running);
    const flagged = await server.call('POST', `/api/jobs/${running}/cancel`);
    expect(flagged.status).toBe(202);
    expect(await flagged.json()).toMatchObject({
      status: 'RUNNING',
      cancelRequested: true
    });
  });
});

describe('createLabServer() POST /api/jobs with devices and a profile', () => {
  it('should keep the number of devices and the profile request a job asked for', async () => {
    server = await startJobsServer();
    const { body } = await submit({
      accelerator: 'gpu',
      deviceCount: 2,
      profile: true
    });
    expect(body.job).toMatchObject({ deviceCount: 2, profile: true });
    const res = await server.call('GET', `/api/jobs/${body.jobId}`);
    expect(await res.json()).toMatchObject({ deviceCount: 2, profile: true });
  });
});

describe('createLabServer() owner scoping', () => {
  it("should answer 404 JOB_NOT_FOUND for another user's job on every job endpoint, and leave it alone", async () => {
    server = await startJobsServer();
    const jobId = (await submit()).body.jobId;
    await runAsGateway(server.store, jobId, logLines(1, 3));
    const endpoints: Array<[string, string]> = [
      ['GET', `/api/jobs/${jobId}`],
      ['GET', `/api/jobs/${jobId}/logs`],
      ['GET', `/api/jobs/${jobId}/events`],
      ['POST', `/api/jobs/${jobId}/cancel`],
      ['GET', `/api/jobs/${jobId}/notebook`]
    ];
    for (const [method, path] of endpoints) {
      const res = await server.call(method, path, { user: 'bob' });
      const text = await res.text();
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(text).code).toBe('JOB_NOT_FOUND');
      expect(text).not.toContain('line 1');
      expect(text).not.toContain('print(');
    }
    expect(
      (await (await server.call('GET', '/api/jobs', { user: 'bob' })).json())
        .items
    ).toEqual([]);
    expect((await server.store.jobs.get(jobId))?.cancelRequested).toBe(false);
    expect((await server.call('GET', `/api/jobs/${jobId}`)).status).toBe(200);
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
