import { afterEach, describe, expect, it } from 'vitest';
import { CookieJar } from '../stand-ins/cookie-jar.js';
import { startLabServer } from '../stand-ins/lab-server.js';

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startServer(seedSamples = false) {
  const server = await startLabServer({
    auth: {
      localToken: 'tok',
      // The default welcome seeds the samples; most tests want an empty account.
      onSignIn: seedSamples ? undefined : async () => {}
    }
  });
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
  return { store: server.store, url: server.url, call };
}

/** The ids of GET /api/samples, sorted. */
async function sampleIds(
  call: (method: string, path: string) => Promise<Response>
): Promise<string[]> {
  const samples = await (await call('GET', '/api/samples')).json();
  return samples.map((s: { id: string }) => s.id).sort();
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

  it('should refuse to save a requirements.txt a job could not install from, naming the line and the rule', async () => {
    const { call } = await startServer();
    const created = await call('POST', '/api/projects', {
      name: 'x',
      requirements: 'six\n-e ./local\n'
    });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({
      code: 'REQUIREMENTS_REJECTED',
      details: { line: 2, rule: 'option' }
    });
    const p = await (
      await call('POST', '/api/projects', { name: 'x', requirements: 'six\n' })
    ).json();
    const patched = await call('PATCH', `/api/projects/${p.id}`, {
      mainPy: 'def main():\n    pass\n',
      requirements: 'six\nhttps://evil.example/x.whl\n'
    });
    expect(patched.status).toBe(400);
    expect((await patched.json()).details).toEqual({ line: 2, rule: 'url' });
    // Nothing of the refused change was saved.
    const kept = await (await call('GET', `/api/projects/${p.id}`)).json();
    expect(kept.requirements).toBe('six\n');
    expect(kept.mainPy).toBe(p.mainPy);
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
    // The same sample again gets a name of its own; a name given is kept.
    const again = async (body: object): Promise<string> =>
      (await (await call('POST', '/api/projects', body)).json()).name;
    expect(p.name).toBe('MLP on two spirals');
    expect(await again({ sample: 'spirals-mlp' })).toBe(
      'MLP on two spirals (2)'
    );
    expect(await again({ sample: 'spirals-mlp' })).toBe(
      'MLP on two spirals (3)'
    );
    expect(await again({ sample: 'spirals-mlp', name: 'Mine' })).toBe('Mine');
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
    const samples = await sampleIds(call);
    const list = await (await call('GET', '/api/projects')).json();
    expect(list.map((p: { sample?: string }) => p.sample).sort()).toEqual(
      samples
    );
  });

  it('should seed the samples as projects at a first interactive sign-in only', async () => {
    const { url, store, call } = await startServer(true);
    const jar = new CookieJar();
    await jar.fetch(`${url}/login?token=tok`);
    const samples = await sampleIds(call);
    const list = await (await jar.fetch(`${url}/api/projects`)).json();
    expect(list).toHaveLength(samples.length);
    await jar.fetch(`${url}/login?token=tok`);
    const user = await (await jar.fetch(`${url}/api/me`)).json();
    expect(await store.projects.list(user.id)).toHaveLength(samples.length);
  });
});
