import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JaxLabError, validationErrors } from '@jaxlab/schemas';
import { errorMiddleware, notFoundMiddleware } from './error-middleware.js';
import { HttpError } from './http-error.js';
import { jsonBody } from './json-body.js';

let server: Server;
let base: string;
const logged: unknown[] = [];

beforeAll(async () => {
  const app = express();
  app.use(jsonBody(1000));
  app.post('/echo', (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.get('/items/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  app.get('/job', () => {
    throw new JaxLabError('JOB_NOT_FOUND', 'No job x', {
      hint: 'List jobs.'
    });
  });
  app.get('/invalid', () => {
    throw new HttpError('INVALID_REQUEST', 'Bad field', {
      details: [{ path: '/a' }],
      status: 422
    });
  });
  app.get('/boom', () => {
    throw new Error('secret detail at /etc/passwd');
  });
  app.get('/stream', (_req, res, next) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': started\n\n');
    next(new Error('store went away'));
  });
  app.use(notFoundMiddleware('See the list of endpoints.'));
  app.use(errorMiddleware({ log: (_message, error) => logged.push(error) }));
  server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body
  });

describe('errorMiddleware()', () => {
  it('should answer body-parser, routing and thrown errors with the ApiError envelope and status', async () => {
    const cases: Array<[Promise<Response>, number, string]> = [
      [post('{"code": '), 400, 'INVALID_REQUEST'],
      [
        post(JSON.stringify({ code: 'x'.repeat(2000) })),
        413,
        'PAYLOAD_TOO_LARGE'
      ],
      [
        post('{}', { 'content-type': 'application/json; charset=latin-9' }),
        415,
        'INVALID_REQUEST'
      ],
      [post('{}', { 'content-encoding': 'compress' }), 415, 'INVALID_REQUEST'],
      [fetch(`${base}/items/%E0%A4%A`), 400, 'INVALID_REQUEST'],
      [fetch(`${base}/no/such/route`), 404, 'NOT_FOUND'],
      [fetch(`${base}/job`), 404, 'JOB_NOT_FOUND'],
      [fetch(`${base}/invalid`), 422, 'INVALID_REQUEST'],
      [fetch(`${base}/boom`), 500, 'INTERNAL']
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(text);
      expect(body.code, text).toBe(code);
      expect(validationErrors('api-error', body)).toEqual([]);
      expect(typeof body.message).toBe('string');
      expect(body.reason).toBe(STATUS_CODES[status]);
      expect(text).not.toMatch(/passwd|at .*\.ts:\d+/);
    }
  });

  it('should carry the hint, and details only of a client error', async () => {
    expect(await (await fetch(`${base}/job`)).json()).toEqual({
      reason: 'Not Found',
      message: 'No job x',
      code: 'JOB_NOT_FOUND',
      hint: 'List jobs.'
    });
    expect((await (await fetch(`${base}/invalid`)).json()).details).toEqual([
      { path: '/a' }
    ]);
    expect((await (await fetch(`${base}/no/such/route`)).json()).hint).toBe(
      'See the list of endpoints.'
    );
  });

  it('should log the cause of a 5xx and not of a 4xx', async () => {
    logged.length = 0;
    await fetch(`${base}/job`);
    expect(logged).toEqual([]);
    await fetch(`${base}/boom`);
    expect(logged).toHaveLength(1);
    expect((logged[0] as Error).message).toContain('secret detail');
  });

  it('should end a stream that had started instead of writing an envelope into it', async () => {
    const res = await fetch(`${base}/stream`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('jsonBody()', () => {
  it('should parse JSON bodies and leave other types unread', async () => {
    expect(await (await post('{"a": [1, 2]}')).json()).toEqual({
      body: { a: [1, 2] }
    });
    const text = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"a": 1}'
    });
    expect(await text.json()).toEqual({});
  });
});
