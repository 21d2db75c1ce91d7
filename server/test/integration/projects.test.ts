import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth, createTokensRouter } from '../../src/auth/index.js';
import { createProjectsRouter } from '../../src/projects/index.js';
import {
  SAMPLE_PROBLEMS,
  createSamplesRouter,
  loadSample
} from '../../src/samples/index.js';
import { openStore } from '@jaxlab/store';
import { createApp } from '../../src/app.js';
import { listen } from '../stand-ins/listen.js';
import { CookieJar } from '../stand-ins/cookie-jar.js';

const VENV_PYTHON = new URL('../../../.venv/bin/python', import.meta.url)
  .pathname;
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startServer(seedSamples = false) {
  const store = await openStore({ sqlite: { path: ':memory:' } });
  closers.push(() => store.dispose());
  const auth = createAuth({
    accounts: store.accounts,
    projects: store.projects,
    mode: 'local',
    localToken: 'tok',
    // The default welcome seeds the samples; most tests want an empty account.
    onSignIn: seedSamples ? undefined : async () => {}
  });
  const app = createApp({
    store,
    auth,
    routers: [
      {
        path: '/api/projects',
        router: createProjectsRouter({ projects: store.projects })
      },
      { path: '/api/samples', router: createSamplesRouter() },
      {
        path: '/api/tokens',
        router: createTokensRouter({ tokens: store.accounts })
      }
    ]
  });
  const server = await listen(app);
  closers.push(server.close);
  const headers = {
    authorization: 'Bearer tok',
    'content-type': 'application/json'
  };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  return { store, url: server.url, call };
}

describe('createProjectsRouter()', () => {
  it('should create, read, list, change and delete a project with defaults', async () => {
    const { call } = await startServer();
    const res = await call('POST', '/api/projects', {
      name: 'mine',
      mainPy: 'def main():\n    pass\n'
    });
    expect(res.status).toBe(201);
    const p = await res.json();
    expect(p).toMatchObject({
      name: 'mine',
      designatedFunctions: ['main', 'train_step'],
      accelerator: 'cpu',
      timeLimitMs: 600000,
      readme: '',
      requirements: ''
    });
    expect(
      (await (await call('GET', `/api/projects/${p.id}`)).json()).mainPy
    ).toContain('def main');
    expect(await (await call('GET', '/api/projects')).json()).toHaveLength(1);
    const patched = await call('PATCH', `/api/projects/${p.id}`, {
      readme: '# Task',
      logRetentionDays: 7
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      readme: '# Task',
      logRetentionDays: 7,
      name: 'mine'
    });
    expect((await call('DELETE', `/api/projects/${p.id}`)).status).toBe(204);
    const gone = await call('GET', `/api/projects/${p.id}`);
    expect(gone.status).toBe(404);
    expect((await gone.json()).code).toBe('PROJECT_NOT_FOUND');
  });

  it('should reject a project without a name or with unknown fields', async () => {
    const { call } = await startServer();
    for (const body of [
      {},
      { name: '' },
      { name: 'x', owner: 'someone' },
      { name: 'x', accelerator: 'quantum' }
    ]) {
      const res = await call('POST', '/api/projects', body);
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('INVALID_REQUEST');
    }
    const p = await (await call('POST', '/api/projects', { name: 'x' })).json();
    const bad = await call('PATCH', `/api/projects/${p.id}`, {
      timeLimitMs: 5
    });
    expect(bad.status).toBe(400);
  });

  it('should create a project from a sample problem', async () => {
    const { call } = await startServer();
    const res = await call('POST', '/api/projects', { sample: 'spirals-mlp' });
    expect(res.status).toBe(201);
    const p = await res.json();
    expect(p.sample).toBe('spirals-mlp');
    expect(p.readme).toContain('spirals');
    expect(p.mainPy).toContain('Final accuracy');
    const unknown = await call('POST', '/api/projects', { sample: 'nope' });
    expect(unknown.status).toBe(400);
  });
});

describe('createSamplesRouter()', () => {
  it('should list at least three samples', async () => {
    const { call } = await startServer();
    const list = await (await call('GET', '/api/samples')).json();
    expect(list.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining([
        'linear-regression',
        'spirals-mlp',
        'matmul-throughput'
      ])
    );
  });

  it('should seed the samples for the local user of a program using the login token', async () => {
    const { call } = await startServer(true);
    const list = await (await call('GET', '/api/projects')).json();
    expect(list.map((p: { sample?: string }) => p.sample).sort()).toEqual(
      SAMPLE_PROBLEMS.map(s => s.id).sort()
    );
  });

  it('should seed the samples as projects at a first interactive sign-in only', async () => {
    const { url, store } = await startServer(true);
    const jar = new CookieJar();
    await jar.fetch(`${url}/login?token=tok`);
    const list = await (await jar.fetch(`${url}/api/projects`)).json();
    expect(list).toHaveLength(SAMPLE_PROBLEMS.length);
    await jar.fetch(`${url}/login?token=tok`);
    const user = await (await jar.fetch(`${url}/api/me`)).json();
    expect(await store.projects.list(user.id)).toHaveLength(
      SAMPLE_PROBLEMS.length
    );
  });
});

describe('SAMPLE_PROBLEMS', () => {
  it('should obey the restricted loader (definitions only)', async () => {
    const harness = new URL('../../../harness/src', import.meta.url).pathname;
    for (const info of SAMPLE_PROBLEMS) {
      const s = await loadSample(info.id);
      const { code, out } = await new Promise<{
        code: number | null;
        out: string;
      }>(resolve => {
        const child = spawn(
          VENV_PYTHON,
          [
            '-c',
            'import sys; from jaxlab_harness.loader import load_definitions as l; r = l(sys.stdin.read()); print(r.violations); sys.exit(0 if r.ok else 1)'
          ],
          { env: { ...process.env, PYTHONPATH: harness }, timeout: 30_000 }
        );
        let out = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (out += d));
        child.on('close', c => resolve({ code: c, out }));
        child.stdin.end(s.mainPy);
      });
      expect(code, `${info.id}: ${out}`).toBe(0);
    }
  });

  for (const info of SAMPLE_PROBLEMS) {
    it(`should run ${info.id} on the CPU within 60 s and print its Final line`, async () => {
      const s = await loadSample(info.id);
      const dir = await mkdtemp(join(tmpdir(), 'jxs-'));
      closers.push(() => rm(dir, { recursive: true, force: true }));
      await writeFile(join(dir, 'main.py'), s.mainPy);
      const started = Date.now();
      const { code, out } = await new Promise<{
        code: number | null;
        out: string;
      }>(resolve => {
        const child = spawn(VENV_PYTHON, ['-c', 'import main; main.main()'], {
          cwd: dir,
          env: { ...process.env, JAX_PLATFORMS: 'cpu' },
          timeout: 60_000
        });
        let out = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (out += d));
        child.on('close', c => resolve({ code: c, out }));
      });
      expect(code, out).toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000);
      const m = new RegExp(`^Final ${info.metric}: ([0-9.eE+-]+)$`, 'm').exec(
        out
      );
      expect(m, out).not.toBeNull();
      if (info.id === 'spirals-mlp') expect(Number(m![1])).toBeGreaterThan(0.9);
    });
  }
});
