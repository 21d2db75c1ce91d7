import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer } from '../stand-ins/lab-server.js';

let lab: ITestLabServer;
beforeAll(async () => {
  lab = await startLabServer();
});
afterAll(async () => {
  await lab?.close();
});

describe('createLabServer() with the accounts, projects and review routers', () => {
  it('should document every route of this part in /api/openapi.json', async () => {
    const doc = await (await fetch(`${lab.url}/api/openapi.json`)).json();
    for (const path of [
      '/api/me',
      '/api/tokens',
      '/api/tokens/{id}',
      '/api/projects',
      '/api/projects/{id}',
      '/api/samples',
      '/api/review',
      '/auth/logout'
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('should run the real store behind projects', async () => {
    const headers = {
      authorization: `Bearer ${lab.localToken}`,
      'content-type': 'application/json'
    };
    const res = await fetch(`${lab.url}/api/projects`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ sample: 'linear-regression' })
    });
    expect(res.status).toBe(201);
    const p = await res.json();
    expect(p).toMatchObject({
      sample: 'linear-regression',
      accelerator: 'cpu',
      designatedFunctions: ['main', 'train_step']
    });
    expect(
      (await fetch(`${lab.url}/api/projects/${p.id}`, { headers })).status
    ).toBe(200);
    expect((await fetch(`${lab.url}/api/projects`)).status).toBe(401);
  });
});
