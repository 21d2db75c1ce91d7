import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ITestLabServer } from '../stand-ins/lab-server.js';
import { startLabServer } from '../stand-ins/lab-server.js';

// The setup file installed checkedFetch() as the global fetch. These tests
// fetch from a server that serves the real API's document (the lab
// server's) but answers what a broken server would.
let lab: ITestLabServer;
let impostor: Server;
let impostorUrl = '';
const answers = new Map<
  string,
  { status: number; type: string; body: string }
>();

beforeAll(async () => {
  lab = await startLabServer();
  const document = await (await fetch(`${lab.url}/api/openapi.json`)).text();
  impostor = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const answer =
      path === '/api/openapi.json'
        ? { status: 200, type: 'application/json', body: document }
        : answers.get(path);
    if (!answer) {
      res.statusCode = 500;
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>(resolve => impostor.listen(0, '127.0.0.1', resolve));
  impostorUrl = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
});

afterAll(async () => {
  impostor?.closeAllConnections();
  await new Promise(resolve => impostor?.close(resolve));
  await lab?.close();
});

/** The impostor answers `path` with `body`; the (checked) fetch asks it. */
function answering(
  path: string,
  status: number,
  body: unknown,
  type = 'application/json'
): Promise<Response> {
  answers.set(path, { status, type, body: JSON.stringify(body) });
  return fetch(`${impostorUrl}${path}`);
}

describe('checkedFetch(), the global fetch of the server tests', () => {
  it('should let answers that keep their schema through', async () => {
    const res = await answering('/api/hosts', 200, {
      items: [],
      accelerators: [],
      lost: [],
      queued: {}
    });
    expect(res.status).toBe(200);
  });

  it('should fail a request whose answer lost a field its schema requires', async () => {
    await expect(answering('/api/hosts', 200, { items: [] })).rejects.toThrow(
      /host-list: \(root\) must have required property 'accelerators'/
    );
  });

  it('should fail a page of jobs that gained a field its schema does not have', async () => {
    await expect(
      answering('/api/jobs', 200, { items: [], nextCursor: null, total: 0 })
    ).rejects.toThrow(/job-page: \(root\): unknown property 'total'/);
  });

  it('should fail an error that is not the envelope, and a media type not documented', async () => {
    await expect(
      answering('/api/jobs/x', 404, { error: 'gone' })
    ).rejects.toThrow(/api-error: \(root\) must have required property 'code'/);
    await expect(
      answering('/api/health', 200, '<p>up</p>', 'text/html')
    ).rejects.toThrow(/content-type 'text\/html' is not documented/);
  });
});
