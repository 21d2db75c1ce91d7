import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewJobEvent } from '@jaxlab/store';
import { issueApiToken } from '@jaxlab/server';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer } from '../stand-ins/lab-server.js';

/** A signed-in user and what they own; every document carries `mark`. */
interface IUserKit {
  name: string;
  mark: string;
  tokenId: string;
  projectId: string;
  jobId: string;
  finishedJobId: string;
  sweepId: string;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>
  ): Promise<Response>;
}

let lab: ITestLabServer;

/** The name of the CSV each user's runs keep. */
const artifactName = (kit: { name: string }): string =>
  `${kit.name.toLowerCase()}-report.csv`;
const users: IUserKit[] = [];

async function userKit(subject: string, name: string): Promise<IUserKit> {
  const mark = `${name.toUpperCase()}_PRIVATE_${subject.length}x7c1e`;
  const user = await lab.store.accounts.upsertUser({
    provider: 'google',
    subject,
    email: `${subject}@example.com`,
    name
  });
  const { token: secret, ...token } = await issueApiToken(
    lab.store.accounts,
    user.id,
    `laptop ${mark}`
  );
  const kit: IUserKit = {
    name,
    mark,
    tokenId: token.id,
    projectId: '',
    jobId: '',
    finishedJobId: '',
    sweepId: '',
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
  const p = await kit.call('POST', '/api/projects', {
    name: `${name} ${mark}`,
    mainPy: `# ${mark}\ndef main():\n    pass\n`
  });
  kit.projectId = (await p.json()).id;
  // A sweep (no host is up, so it submits nothing).
  const sweep = await kit.call('POST', '/api/sweeps', {
    projectId: kit.projectId,
    name: `sweep ${mark}`,
    code: `# ${mark}\ndef main(lr=0.1):\n    pass\n`,
    space: { kind: 'grid', runCap: 2, parameters: { lr: { values: [1, 2] } } },
    target: { metric: 'loss', direction: 'min' }
  });
  expect(sweep.status).toBe(201);
  kit.sweepId = (await sweep.json()).id;
  // A finished job with logs, and a running one.
  for (const key of ['finishedJobId', 'jobId'] as const) {
    const j = await kit.call('POST', '/api/jobs', {
      projectId: kit.projectId,
      code: `# ${mark}\ndef main():\n    print(1)\n`
    });
    expect(j.status).toBe(202);
    kit[key] = (await j.json()).jobId;
    const claimed = await lab.store.queue.claimNext({
      hostId: 'h1',
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs: 60_000
    });
    expect(claimed?.id).toBe(kit[key]);
    const events: NewJobEvent[] = [
      { type: 'job:status', status: 'RUNNING' },
      { type: 'job:log', stream: 'stdout', text: `${mark}\n` }
    ];
    if (key === 'finishedJobId')
      events.push({ type: 'job:status', status: 'COMPLETED' });
    await lab.store.events.append(kit[key], events, { hostId: 'h1' });
    // What the run kept of its outputs/.
    await lab.store.artifacts.put(kit[key], {
      name: `tables/${artifactName(kit)}`,
      data: Buffer.from(`owner,value\n${mark},1\n`)
    });
  }
  return kit;
}

beforeAll(async () => {
  lab = await startLabServer();
  users.push(await userKit('alice', 'Alice'), await userKit('bob', 'Bob'));
});
afterAll(async () => {
  await lab?.close();
});

async function expectHidden(
  res: Response,
  owner: IUserKit,
  what: string
): Promise<void> {
  const text = await res.text();
  expect(res.status, `${what}: ${text.slice(0, 200)}`).toBe(404);
  expect(text, what).not.toContain(owner.mark);
  expect(JSON.parse(text).code, what).toMatch(/NOT_FOUND$/);
}

// Each user against the other: neither may see or touch the other's documents.
const PAIRS: Array<[number, number]> = [
  [0, 1],
  [1, 0]
];

describe('Every endpoint is scoped to its owner', () => {
  for (const [o, i] of PAIRS) {
    const who = o === 0 ? 'Alice' : 'Bob';
    const intruderName = o === 0 ? 'Bob' : 'Alice';

    it(`should hide ${who}'s projects, jobs, logs and tokens from ${intruderName}'s lists`, async () => {
      const [owner, intruder] = [users[o], users[i]];
      for (const path of [
        '/api/projects',
        '/api/jobs',
        `/api/jobs?projectId=${owner.projectId}`,
        '/api/tokens',
        '/api/me'
      ]) {
        const res = await intruder.call('GET', path);
        expect(res.status, path).toBe(200);
        const text = await res.text();
        for (const secret of [
          owner.mark,
          owner.projectId,
          owner.jobId,
          owner.finishedJobId,
          owner.tokenId
        ]) {
          expect(text, path).not.toContain(secret);
        }
      }
      // The owner does see them, so the lists above were not empty by accident.
      expect(await (await owner.call('GET', '/api/jobs')).text()).toContain(
        owner.jobId
      );
      expect(await (await owner.call('GET', '/api/projects')).text()).toContain(
        owner.mark
      );
      expect(await (await owner.call('GET', '/api/tokens')).text()).toContain(
        owner.tokenId
      );
    });

    it(`should answer 404 to ${intruderName} on every documented {id} operation with ${who}'s ids`, async () => {
      const [owner, intruder] = [users[o], users[i]];
      const doc = await (await fetch(`${lab.url}/api/openapi.json`)).json();
      const idsOf: Record<string, string[]> = {
        '/api/projects/': [owner.projectId],
        '/api/jobs/': [owner.jobId, owner.finishedJobId],
        '/api/runs/': [owner.jobId, owner.finishedJobId],
        '/api/sweeps/': [owner.sweepId],
        '/api/tokens/': [owner.tokenId]
      };
      const bodies: Record<string, unknown> = {
        'patch /api/projects/{id}': { name: 'taken over' }
      };
      let checked = 0;
      for (const [template, item] of Object.entries(
        doc.paths as Record<string, Record<string, unknown>>
      )) {
        if (!template.includes('{id}')) continue;
        const prefix = Object.keys(idsOf).find(p => template.startsWith(p));
        expect(
          prefix,
          `no owner test for ${template}: add its resource kind here`
        ).toBeDefined();
        for (const method of Object.keys(item).filter(m =>
          ['get', 'post', 'patch', 'put', 'delete'].includes(m)
        )) {
          for (const id of idsOf[prefix!]) {
            const path = template.replace('{id}', id);
            const body =
              bodies[`${method} ${template}`] ??
              (method === 'get' || method === 'delete' ? undefined : {});
            const res = await intruder.call(method.toUpperCase(), path, body, {
              accept: 'application/json, text/event-stream'
            });
            await expectHidden(res, owner, `${method.toUpperCase()} ${path}`);
            checked++;
          }
        }
      }
      // projects get/patch/delete, jobs get/logs/events/cancel/notebook x2, tokens delete
      expect(checked).toBeGreaterThanOrEqual(14);
    });

    it(`should refuse ${intruderName} using ${who}'s project in jobs and reviews`, async () => {
      const [owner, intruder] = [users[o], users[i]];
      await expectHidden(
        await intruder.call('POST', '/api/jobs', {
          projectId: owner.projectId,
          code: 'def main():\n    pass\n'
        }),
        owner,
        "POST /api/jobs with another user's project"
      );
      await expectHidden(
        await intruder.call('POST', '/api/review', {
          projectId: owner.projectId,
          code: 'x = 1\n'
        }),
        owner,
        "POST /api/review with another user's project"
      );
      for (const path of [
        `/api/jobs/${owner.finishedJobId}/artifacts`,
        `/api/jobs/${owner.finishedJobId}/artifacts/${encodeURIComponent(`tables/${artifactName(owner)}`)}`,
        `/api/jobs/${owner.finishedJobId}/artifacts.zip`,
        `/api/jobs/${owner.finishedJobId}/table?artifact=${encodeURIComponent(`tables/${artifactName(owner)}`)}`,
        `/api/jobs/${owner.finishedJobId}/chat`
      ]) {
        await expectHidden(await intruder.call('GET', path), owner, path);
      }
      await expectHidden(
        await intruder.call(
          'POST',
          `/api/jobs/${intruder.finishedJobId}/chat`,
          {
            message: 'compare',
            compareWith: [owner.finishedJobId]
          }
        ),
        owner,
        "a chat comparing with another user's run"
      );
      await expectHidden(
        await intruder.call(
          'GET',
          `/api/jobs/${owner.jobId}/events`,
          undefined,
          { accept: 'text/event-stream' }
        ),
        owner,
        'SSE events'
      );
    });
  }

  it('should leave every document unchanged after the attempts', async () => {
    for (const owner of users) {
      const p = await (
        await owner.call('GET', `/api/projects/${owner.projectId}`)
      ).json();
      expect(p.name).toBe(`${owner.name} ${owner.mark}`);
      const j = await (
        await owner.call('GET', `/api/jobs/${owner.jobId}`)
      ).json();
      expect(j.status).toBe('RUNNING');
      expect(j.cancelRequested).toBe(false);
      expect((await owner.call('GET', '/api/me')).status).toBe(200);
      expect(
        await (
          await owner.call('GET', `/api/jobs/${owner.finishedJobId}/logs`)
        ).text()
      ).toContain(owner.mark);
      const file = await owner.call(
        'GET',
        `/api/jobs/${owner.finishedJobId}/artifacts/${encodeURIComponent(`tables/${artifactName(owner)}`)}`
      );
      expect(file.status).toBe(200);
      expect(await file.text()).toContain(owner.mark);
      const nb = await owner.call(
        'GET',
        `/api/jobs/${owner.finishedJobId}/notebook`
      );
      expect(nb.status).toBe(200);
      expect(await nb.text()).toContain(owner.mark);
      expect(await (await owner.call('GET', '/api/tokens')).text()).toContain(
        owner.tokenId
      );
    }
  });
});
