/**
 * Per-user credentials: a personal API token of user A (looked up in the
 * store) reaches only A's kernels and sessions; B's answer 404 on every
 * endpoint, the channels WebSocket included; the owner of a new kernel is
 * the credential's user whatever the start request's env says; a revoked
 * credential stops working within a second, open WebSockets included.
 */
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import type { Project } from '@jaxlab/schemas';
import { hashTokenSecret, openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';
import { openChannels } from './ws-client.js';

interface ITestUser {
  id: string;
  token: string;
  tokenId: string;
}

describe('createGateway() with per-user credentials', () => {
  let store: IStore;
  let gw: ITestGateway;
  let alice: ITestUser;
  let bob: ITestUser;
  let bobsProject: Project;
  let bobsKernel: string;
  let bobsSession: string;

  const makeUser = async (name: string): Promise<ITestUser> => {
    const user = await store.accounts.upsertUser({
      provider: 'google',
      subject: name,
      email: `${name}@example.com`,
      name
    });
    const token = `jxl_${randomBytes(24).toString('base64url')}`;
    const created = await store.accounts.createApiToken(
      user.id,
      'jupyterhub server',
      hashTokenSecret(token)
    );
    return { id: user.id, token, tokenId: created.id };
  };

  const as = (user: ITestUser | string, path: string, init: RequestInit = {}) =>
    fetch(`${gw.baseUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `token ${typeof user === 'string' ? user : user.token}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {})
      }
    });

  const startKernel = async (
    user: ITestUser,
    env: Record<string, string> = {}
  ): Promise<Response> =>
    as(user, '/api/kernels', {
      method: 'POST',
      body: JSON.stringify({ name: 'jaxlab', env })
    });

  beforeAll(async () => {
    store = await openStore({ sqlite: { path: ':memory:' } });
    alice = await makeUser('alice');
    bob = await makeUser('bob');
    bobsProject = await store.projects.create(bob.id, {
      name: 'Secret',
      readme: '# Secret\n',
      mainPy: 'SECRET = "bob-only"\n\ndef main():\n    print(SECRET)\n',
      requirements: '',
      designatedFunctions: ['main']
    });
    gw = await startTestGateway({
      projects: store.projects,
      accounts: store.accounts
    });
    const kernel = await startKernel(bob);
    expect(kernel.status).toBe(201);
    bobsKernel = ((await kernel.json()) as { id: string }).id;
    const session = await as(bob, '/api/sessions', {
      method: 'POST',
      body: JSON.stringify({
        path: 'bob.ipynb',
        type: 'notebook',
        kernel: { id: bobsKernel }
      })
    });
    expect(session.status).toBe(201);
    bobsSession = ((await session.json()) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await gw?.dispose();
    await store?.dispose();
  });

  it("should answer 404 to every endpoint of another user's kernel", async () => {
    const calls: [string, string][] = [
      ['GET', `/api/kernels/${bobsKernel}`],
      ['DELETE', `/api/kernels/${bobsKernel}`],
      ['POST', `/api/kernels/${bobsKernel}/interrupt`],
      ['POST', `/api/kernels/${bobsKernel}/restart`],
      ['PUT', `/api/kernels/${bobsKernel}/files/main.py`],
      ['PUT', `/api/kernels/${bobsKernel}/files/utils/data.py`],
      ['PUT', `/api/kernels/${bobsKernel}/files`]
    ];
    for (const [method, path] of calls) {
      const res = await as(alice, path, {
        method,
        body:
          method === 'PUT' ? JSON.stringify({ content: 'x = 1\n' }) : undefined
      });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(((await res.json()) as { code: string }).code).toBe(
        'KERNEL_NOT_FOUND'
      );
    }
    const listed = (await (await as(alice, '/api/kernels')).json()) as {
      id: string;
    }[];
    expect(listed.map(k => k.id)).not.toContain(bobsKernel);
    // Bob's kernel is untouched and still his.
    const own = await as(bob, `/api/kernels/${bobsKernel}`);
    expect(own.status).toBe(200);
  });

  it("should refuse the channels WebSocket of another user's kernel with 404", async () => {
    const status = await new Promise<number>(resolve => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${gw.port}/api/kernels/${bobsKernel}/channels?token=${alice.token}`
      );
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
    // With the owner's credential the same socket opens.
    const bobs = await openChannels(gw.port, bob.token, bobsKernel);
    await bobs.close();
  });

  it("should hide another user's sessions and refuse to tie a session to their kernel", async () => {
    const listed = (await (await as(alice, '/api/sessions')).json()) as {
      id: string;
    }[];
    expect(listed.map(s => s.id)).not.toContain(bobsSession);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await as(alice, `/api/sessions/${bobsSession}`, {
        method,
        body:
          method === 'PATCH' ? JSON.stringify({ path: 'x.ipynb' }) : undefined
      });
      expect([method, res.status]).toEqual([method, 404]);
    }
    const tied = await as(alice, '/api/sessions', {
      method: 'POST',
      body: JSON.stringify({ path: 'a.ipynb', kernel: { id: bobsKernel } })
    });
    expect(tied.status).toBe(404);
    const bobsView = (await (await as(bob, '/api/sessions')).json()) as {
      id: string;
    }[];
    expect(bobsView.map(s => s.id)).toEqual([bobsSession]);
  });

  it("should give a start request naming another user's project or owner nothing of theirs", async () => {
    const naming = await startKernel(alice, {
      KERNEL_JAXLAB_PROJECT_ID: bobsProject.id,
      KERNEL_JAXLAB_OWNER: bob.id
    });
    expect(naming.status).toBe(404);
    expect(((await naming.json()) as { code: string }).code).toBe(
      'PROJECT_NOT_FOUND'
    );
    // Claiming to be Bob without a project: the kernel is Alice's, not Bob's.
    const claiming = await startKernel(alice, { KERNEL_JAXLAB_OWNER: bob.id });
    expect(claiming.status).toBe(201);
    const { id } = (await claiming.json()) as { id: string };
    const bobsList = (await (await as(bob, '/api/kernels')).json()) as {
      id: string;
    }[];
    expect(bobsList.map(k => k.id)).toEqual([bobsKernel]);
    const alicesList = (await (await as(alice, '/api/kernels')).json()) as {
      id: string;
    }[];
    expect(alicesList.map(k => k.id)).toEqual([id]);
    // The operator sees both.
    const all = (await (await gw.api('/api/kernels')).json()) as {
      id: string;
    }[];
    expect(all.map(k => k.id).sort()).toEqual([bobsKernel, id].sort());
    expect(
      (await as(alice, `/api/kernels/${id}`, { method: 'DELETE' })).status
    ).toBe(204);
  }, 60_000);

  it('should refuse an unknown credential with 401', async () => {
    const res = await as('jxl_not-a-real-token', '/api/kernels');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });

  it('should stop honouring a revoked credential within a second, open WebSockets included', async () => {
    const started = await startKernel(alice);
    const { id } = (await started.json()) as { id: string };
    const channels = await openChannels(gw.port, alice.token, id);
    const closed = new Promise<{ code: number; atMs: number }>(resolve =>
      channels.ws.once('close', code => resolve({ code, atMs: Date.now() }))
    );
    const revokedAtMs = Date.now();
    expect(await store.accounts.revokeApiToken(alice.tokenId, alice.id)).toBe(
      true
    );
    let refusedAtMs = 0;
    while (Date.now() - revokedAtMs < 3000) {
      if ((await as(alice, '/api/kernels')).status === 401) {
        refusedAtMs = Date.now();
        break;
      }
      await new Promise(r => setTimeout(r, 20));
    }
    expect(refusedAtMs).toBeGreaterThan(0);
    expect(refusedAtMs - revokedAtMs).toBeLessThan(1000);
    const { code, atMs } = await closed;
    expect(code).toBe(1008);
    expect(atMs - revokedAtMs).toBeLessThan(1000);
    await gw.api(`/api/kernels/${id}`, { method: 'DELETE' });
  }, 60_000);
});
