import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationsRouter } from './operations-router.js';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

async function serve(router: express.Router): Promise<string> {
  const app = express();
  app.use(router);
  server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server!.once('listening', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('operationsRouter()', () => {
  it('should answer /readyz 503 naming the check that failed or hung, and 200 when all pass', async () => {
    let storeUp = false;
    const url = await serve(
      operationsRouter({
        checks: {
          store: async () => {
            if (!storeUp) throw new Error('connection refused');
          },
          sandbox: async () => undefined
        },
        checkTimeoutMs: 200
      })
    );
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      ready: false,
      checks: {
        store: { ok: false, message: 'connection refused' },
        sandbox: { ok: true }
      }
    });
    storeUp = true;
    const up = await fetch(`${url}/readyz`);
    expect(up.status).toBe(200);
    expect((await up.json()).ready).toBe(true);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it('should fail a check that does not answer in time', async () => {
    const url = await serve(
      operationsRouter({
        checks: { store: () => new Promise(() => undefined) },
        checkTimeoutMs: 100
      })
    );
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    expect((await res.json()).checks.store.message).toBe(
      'no answer within 100 ms'
    );
  });

  it('should serve the metrics source with its content type', async () => {
    const url = await serve(
      operationsRouter({
        checks: {},
        metrics: {
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
          metrics: async () => '# HELP up 1\n# TYPE up gauge\nup 1\n'
        }
      })
    );
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('up 1');
  });
});
