import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewJobEvent } from '@jaxlab/store';
import { hashSecret, newTokenSecret } from '../../src/auth/index.js';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ILabServer } from '../stand-ins/lab-server.js';

// Everything of user A carries this marker; no answer to B may contain it.
const MARK = 'ALICE_PRIVATE_7c1e';

interface IUserKit {
  id: string;
  secret: string;
  tokenId: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>
  ): Promise<Response>;
}

let lab: ILabServer;
let alice: IUserKit;
let bob: IUserKit;
const own = { projectId: '', jobId: '', finishedJobId: '' };

async function userKit(subject: string, name: string): Promise<IUserKit> {
  const user = await lab.store.upsertUser({
    provider: 'google',
    subject,
    email: `${subject}@example.com`,
    name
  });
  const secret = newTokenSecret();
  const token = await lab.store.createApiToken(
    user.id,
    `${name} laptop ${name === 'Alice' ? MARK : ''}`,
    hashSecret(secret)
  );
  return {
    id: user.id,
    secret,
    tokenId: token.id,
    call: (method, path, body, headers = {}) =>
      fetch(`${lab.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${secret}`,
          'content-type': 'application/json',
          ...headers
        },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
  };
}

beforeAll(async () => {
  lab = await startLabServer();
  alice = await userKit('alice', 'Alice');
  bob = await userKit('bob', 'Bob');
  const p = await alice.call('POST', '/api/projects', {
    name: `Alice ${MARK}`,
    mainPy: `# ${MARK}\ndef main():\n    pass\n`
  });
  own.projectId = (await p.json()).id;
  // A finished job with logs, and a running one.
  for (const key of ['finishedJobId', 'jobId'] as const) {
    const j = await alice.call('POST', '/api/jobs', {
      projectId: own.projectId,
      code: `# ${MARK}\ndef main():\n    print(1)\n`
    });
    expect(j.status).toBe(202);
    own[key] = (await j.json()).jobId;
    const claimed = await lab.store.claimNextJob({
      hostId: 'h1',
      accelerators: ['cpu'],
      leaseMs: 60_000
    });
    expect(claimed?.id).toBe(own[key]);
    const events: NewJobEvent[] = [
      { type: 'job:status', status: 'RUNNING' },
      { type: 'job:log', stream: 'stdout', text: `${MARK}\n` }
    ];
    if (key === 'finishedJobId')
      events.push({ type: 'job:status', status: 'COMPLETED' });
    await lab.store.appendEvents(own[key], events, { hostId: 'h1' });
  }
});
afterAll(async () => {
  await lab?.close();
});

async function expectHidden(res: Response, what: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 200)}`).toBe(404);
  expect(text, what).not.toContain(MARK);
  expect(JSON.parse(text).code, what).toMatch(/NOT_FOUND$/);
}

describe('Every endpoint is scoped to its owner', () => {
  it("should hide A's projects, jobs and tokens from B's lists", async () => {
    for (const path of [
      '/api/projects',
      '/api/jobs',
      `/api/jobs?projectId=${own.projectId}`,
      '/api/tokens',
      '/api/me'
    ]) {
      const res = await bob.call('GET', path);
      expect(res.status, path).toBe(200);
      const text = await res.text();
      expect(text, path).not.toContain(MARK);
      expect(text, path).not.toContain(own.projectId);
      expect(text, path).not.toContain(own.jobId);
      expect(text, path).not.toContain(alice.tokenId);
    }
    // A does see them, so the lists above were not empty by accident.
    expect(await (await alice.call('GET', '/api/jobs')).text()).toContain(
      own.jobId
    );
    expect(await (await alice.call('GET', '/api/projects')).text()).toContain(
      MARK
    );
    expect(await (await alice.call('GET', '/api/tokens')).text()).toContain(
      alice.tokenId
    );
  });

  it("should answer 404 to B on every documented {id} operation with A's ids", async () => {
    const doc = await (await fetch(`${lab.url}/api/openapi.json`)).json();
    const idOf: Record<string, string> = {
      '/api/projects/': own.projectId,
      '/api/jobs/': own.jobId,
      '/api/tokens/': alice.tokenId
    };
    const bodies: Record<string, unknown> = {
      'patch /api/projects/{id}': { name: 'taken over' }
    };
    let checked = 0;
    for (const [template, item] of Object.entries(
      doc.paths as Record<string, Record<string, unknown>>
    )) {
      if (!template.includes('{id}')) continue;
      const prefix = Object.keys(idOf).find(p => template.startsWith(p));
      expect(
        prefix,
        `no owner test for ${template}: add its resource kind here`
      ).toBeDefined();
      for (const method of Object.keys(item).filter(m =>
        ['get', 'post', 'patch', 'put', 'delete'].includes(m)
      )) {
        for (const id of [
          idOf[prefix!],
          ...(prefix === '/api/jobs/' ? [own.finishedJobId] : [])
        ]) {
          const path = template.replace('{id}', id);
          const res = await bob.call(
            method.toUpperCase(),
            path,
            bodies[`${method} ${template}`] ??
              (method === 'get' || method === 'delete' ? undefined : {}),
            {
              accept: 'application/json, text/event-stream'
            }
          );
          await expectHidden(res, `${method.toUpperCase()} ${path}`);
          checked++;
        }
      }
    }
    // projects get/patch/delete, jobs get/logs/events/cancel/notebook x2, tokens delete
    expect(checked).toBeGreaterThanOrEqual(14);
  });

  it("should refuse B using A's project in jobs and reviews", async () => {
    await expectHidden(
      await bob.call('POST', '/api/jobs', {
        projectId: own.projectId,
        code: 'def main():\n    pass\n'
      }),
      "POST /api/jobs with A's project"
    );
    await expectHidden(
      await bob.call('POST', '/api/review', {
        projectId: own.projectId,
        code: 'x = 1\n'
      }),
      "POST /api/review with A's project"
    );
  });

  it("should refuse B's SSE stream of A's job events", async () => {
    const res = await bob.call(
      'GET',
      `/api/jobs/${own.jobId}/events`,
      undefined,
      { accept: 'text/event-stream' }
    );
    await expectHidden(res, 'events');
  });

  it("should leave A's documents unchanged after B's attempts", async () => {
    const p = await (
      await alice.call('GET', `/api/projects/${own.projectId}`)
    ).json();
    expect(p.name).toBe(`Alice ${MARK}`);
    const j = await (await alice.call('GET', `/api/jobs/${own.jobId}`)).json();
    expect(j.status).toBe('RUNNING');
    expect(j.cancelRequested).toBe(false);
    expect((await alice.call('GET', '/api/me')).status).toBe(200);
    const logs = await (
      await alice.call('GET', `/api/jobs/${own.finishedJobId}/logs`)
    ).text();
    expect(logs).toContain(MARK);
    const nb = await alice.call(
      'GET',
      `/api/jobs/${own.finishedJobId}/notebook`
    );
    expect(nb.status).toBe(200);
    expect(await nb.text()).toContain(MARK);
  });
});
