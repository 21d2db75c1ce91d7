import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { validationErrors } from '@jaxlab/schemas';

import { JAX_PROGRAM, startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';

interface IWsMessage {
  channel: string;
  header: { msg_id: string; msg_type: string } & Record<string, unknown>;
  parent_header: { msg_id?: string };
  content: Record<string, unknown>;
}

function executeRequest(
  code: string,
  session: string
): IWsMessage & Record<string, unknown> {
  return {
    channel: 'shell',
    header: {
      msg_id: randomUUID(),
      msg_type: 'execute_request',
      session,
      username: 'test',
      date: new Date().toISOString(),
      version: '5.3'
    },
    parent_header: {},
    metadata: {},
    content: {
      code,
      silent: false,
      store_history: false,
      user_expressions: {},
      allow_stdin: false
    }
  };
}

/** Opens a legacy-protocol (no subprotocol) channels socket and collects JSON frames. */
async function openLegacy(
  gw: ITestGateway,
  kernelId: string,
  session = randomUUID()
) {
  const ws = new WebSocket(
    `ws://127.0.0.1:${gw.port}/api/kernels/${kernelId}/channels?session_id=${session}&token=${gw.token}`
  );
  const received: IWsMessage[] = [];
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    received.push(JSON.parse(String(data)) as IWsMessage);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waitFor = async (
    predicate: (m: IWsMessage) => boolean,
    timeoutMs = 30_000
  ) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = received.find(predicate);
      if (found) return found;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    throw new Error('timed out waiting for a message');
  };
  return { ws, received, session, waitFor };
}

describe('createGateway() REST and legacy WebSocket API', () => {
  let gw: ITestGateway;
  let kernelId: string;

  beforeAll(async () => {
    gw = await startTestGateway({ maxKernels: 1 });
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  it('should answer 401 JSON without the token', async () => {
    const res = await fetch(`${gw.baseUrl}/api/kernels`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: 'UNAUTHORIZED',
      reason: 'Unauthorized'
    });
  });

  it('should answer a bad body and an unknown route with the ApiError envelope', async () => {
    const cases: Array<[Promise<Response>, number, string]> = [
      [
        gw.api('/api/kernels', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"name": '
        }),
        400,
        'INVALID_REQUEST'
      ],
      [gw.api('/api/no/such/route'), 404, 'NOT_FOUND']
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      const body = await res.json();
      expect(res.status).toBe(status);
      expect(body.code).toBe(code);
      expect(validationErrors('api-error', body)).toEqual([]);
    }
    expect(gw.kernels.list()).toEqual([]);
  });

  it('should start a kernel with 201, a Location header and files from the body', async () => {
    const res = await gw.api('/api/kernels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'jaxlab',
        env: { KERNEL_USERNAME: 'me' },
        files: { 'main.py': JAX_PROGRAM }
      })
    });
    expect(res.status).toBe(201);
    const model = (await res.json()) as { id: string; execution_state: string };
    kernelId = model.id;
    expect(res.headers.get('location')).toBe(`/api/kernels/${model.id}`);
    const one = await gw.api(`/api/kernels/${model.id}`);
    expect(((await one.json()) as { id: string }).id).toBe(model.id);
  });

  it('should answer 403 KERNEL_LIMIT_REACHED beyond --max-kernels', async () => {
    const res = await gw.api('/api/kernels', { method: 'POST' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'KERNEL_LIMIT_REACHED' });
  });

  it('should refuse a WebSocket from a foreign Origin and a wrong token', async () => {
    for (const [headers, token] of [
      [{ Origin: 'http://evil.example' }, gw.token],
      [{}, 'wrong']
    ] as const) {
      const ws = new WebSocket(
        `ws://127.0.0.1:${gw.port}/api/kernels/${kernelId}/channels?token=${token}`,
        { headers }
      );
      const status = await new Promise<number>(resolve =>
        ws.once('unexpected-response', (_req, res) =>
          resolve(res.statusCode ?? 0)
        )
      );
      expect([401, 403]).toContain(status);
    }
  });

  it('should run main() over the legacy JSON protocol and route the reply to its client only', async () => {
    const a = await openLegacy(gw, kernelId);
    const b = await openLegacy(gw, kernelId);
    const request = executeRequest('main(n=3)', a.session);
    a.ws.send(JSON.stringify(request));
    const reply = await a.waitFor(
      m =>
        m.header.msg_type === 'execute_reply' &&
        m.parent_header.msg_id === request.header.msg_id
    );
    expect(reply.channel).toBe('shell');
    expect(reply.content.status).toBe('ok');
    await b.waitFor(
      m =>
        m.header.msg_type === 'status' &&
        m.content.execution_state === 'idle' &&
        m.parent_header.msg_id === request.header.msg_id
    );
    const streamed = (x: IWsMessage[]) =>
      x
        .filter(m => m.header.msg_type === 'stream')
        .map(m => m.content.text)
        .join('');
    expect(streamed(a.received)).toContain('line 0\nline 1\nline 2\n');
    expect(streamed(b.received)).toContain('line 0\nline 1\nline 2\n');
    expect(b.received.some(m => m.header.msg_type === 'execute_reply')).toBe(
      false
    );
    a.ws.close();
    b.ws.close();
  });

  it('should refuse client messages that are not known requests', async () => {
    const a = await openLegacy(gw, kernelId);
    const bad = executeRequest('main()', a.session);
    bad.channel = 'iopub';
    a.ws.send(JSON.stringify(bad));
    a.ws.send('not json');
    const good = executeRequest('main(n=1)', a.session);
    a.ws.send(JSON.stringify(good));
    await a.waitFor(m => m.header.msg_type === 'execute_reply');
    expect(
      a.received.some(m => m.parent_header.msg_id === bad.header.msg_id)
    ).toBe(false);
    expect(gw.log.some(l => l.includes('refused a message'))).toBe(true);
    a.ws.close();
  });

  it('should keep output produced while no client is connected and replay it on connect', async () => {
    const a = await openLegacy(gw, kernelId);
    a.ws.send(JSON.stringify(executeRequest('main(n=4)', a.session)));
    a.ws.close();
    await new Promise(resolve => setTimeout(resolve, 3000));
    const b = await openLegacy(gw, kernelId);
    await b.waitFor(
      m =>
        m.header.msg_type === 'stream' &&
        String(m.content.text).includes('line 3')
    );
    b.ws.close();
  });

  it('should write files with PUT and refuse other names', async () => {
    const ok = await gw.api(`/api/kernels/${kernelId}/files/main.py`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: JAX_PROGRAM.replace('"line"', '"row"') })
    });
    expect(ok.status).toBe(204);
    const bad = await gw.api(
      `/api/kernels/${kernelId}/files/sitecustomize.py`,
      {
        method: 'PUT',
        headers: { 'Content-Type': 'text/plain' },
        body: 'import os'
      }
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'UNSAFE_PATH' });
  });

  it('should manage sessions and shut the kernel down on DELETE', async () => {
    const res = await gw.api('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        path: 'a.ipynb',
        name: 'a',
        type: 'notebook',
        kernel: { id: kernelId }
      })
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as {
      id: string;
      kernel: { id: string };
    };
    expect(session.kernel.id).toBe(kernelId);
    const list = (await (await gw.api('/api/sessions')).json()) as unknown[];
    expect(list).toHaveLength(1);
    const del = await gw.api(`/api/sessions/${session.id}`, {
      method: 'DELETE'
    });
    expect(del.status).toBe(204);
    expect((await gw.api(`/api/kernels/${kernelId}`)).status).toBe(404);
  });
});

describe('PUT /api/kernels/{id}/files after the kernel planted a link', () => {
  let planted: ITestGateway;

  beforeAll(async () => {
    planted = await startTestGateway();
  });

  afterAll(async () => {
    await planted?.dispose();
  });

  it('should refuse to write through a link the kernel planted, and write again after a restart', async () => {
    const planter = await planted.kernels.startKernel({
      files: {
        'main.py': `import os


def main():
    os.remove("main.py")
    os.symlink("/etc/hostname", "main.py")
`
      },
      extraImports: ['os']
    });
    await planter.execute('main()');
    const put = (): Promise<Response> =>
      planted.api(`/api/kernels/${planter.id}/files/main.py`, {
        method: 'PUT',
        headers: { 'Content-Type': 'text/plain' },
        body: 'def main():\n    return 1\n'
      });
    const refused = await put();
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { code: string; hint: string };
    expect(body.code).toBe('UNSAFE_PATH');
    expect(body.hint).toMatch(/Restart the kernel .* which removes it/);
    // The advice works: a restart removes the link, the write succeeds.
    const restarted = await planted.api(`/api/kernels/${planter.id}/restart`, {
      method: 'POST'
    });
    expect(restarted.status).toBe(200);
    expect((await put()).status).toBe(204);
    const reply = await planted.kernels.get(planter.id)!.execute('main()');
    expect(reply.status).toBe('ok');
  });
});
