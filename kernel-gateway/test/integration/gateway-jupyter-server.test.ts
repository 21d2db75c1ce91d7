import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { labPaths } from '@jaxlab/paths';
import { METRICS_MIME_TYPE } from '@jaxlab/schemas';

import { JAX_PROGRAM, startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';

const VENV_BIN = path.join(labPaths().venvDir, 'bin');
const RUN_NOTEBOOK = fileURLToPath(
  new URL('./clients/run_notebook.py', import.meta.url)
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    const child = spawn(file, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
}

describe('jupyter_server --gateway-url and nbclient through the gateway', () => {
  let gw: ITestGateway;
  let server: ChildProcess | undefined;
  let tmp: string;
  let serverUrl: string;
  const serverToken = 'js-token';
  const env = {
    PATH: `${VENV_BIN}:/usr/bin:/bin`,
    HOME: '/tmp',
    LANG: 'C.UTF-8'
  };

  beforeAll(async () => {
    gw = await startTestGateway();
    tmp = mkdtempSync('/tmp/jl-js-');
    const port = await freePort();
    serverUrl = `http://127.0.0.1:${port}`;
    server = spawn(
      path.join(VENV_BIN, 'jupyter'),
      [
        'server',
        '--no-browser',
        '--allow-root',
        `--port=${port}`,
        '--ip=127.0.0.1',
        `--ServerApp.root_dir=${tmp}`,
        `--IdentityProvider.token=${serverToken}`,
        `--GatewayClient.url=${gw.baseUrl}`,
        `--GatewayClient.auth_token=${gw.token}`
      ],
      {
        env: {
          ...env,
          JUPYTER_CONFIG_DIR: tmp,
          JUPYTER_DATA_DIR: tmp,
          JUPYTER_RUNTIME_DIR: tmp
        },
        stdio: 'ignore',
        detached: true
      }
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${serverUrl}/api`).then(
        r => r.ok,
        () => false
      );
      if (ok) return;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error('jupyter server did not start');
  });

  afterAll(async () => {
    if (server?.pid) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await gw?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('jupyter_server should list our kernel spec and run main() through the gateway', async () => {
    const auth = { Authorization: `token ${serverToken}` };
    const specs = (await (
      await fetch(`${serverUrl}/api/kernelspecs`, { headers: auth })
    ).json()) as {
      kernelspecs: Record<string, { spec: { display_name: string } }>;
    };
    expect(specs.kernelspecs.jaxlab.spec.display_name).toBe('JAX (restricted)');

    const started = await fetch(`${serverUrl}/api/kernels`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'jaxlab' })
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    expect(gw.kernels.get(id)).toBeDefined();
    await gw.kernels.writeFiles(id, { 'main.py': JAX_PROGRAM });

    const ws = new WebSocket(
      `ws://${serverUrl.slice(7)}/api/kernels/${id}/channels?token=${serverToken}`
    );
    const received: {
      header: { msg_type: string };
      parent_header: { msg_id?: string };
      content: Record<string, unknown>;
    }[] = [];
    ws.on('message', data => received.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const msgId = `exec-${Date.now()}`;
    ws.send(
      JSON.stringify({
        channel: 'shell',
        header: {
          msg_id: msgId,
          msg_type: 'execute_request',
          session: 's1',
          username: 'u',
          date: new Date().toISOString(),
          version: '5.3'
        },
        parent_header: {},
        metadata: {},
        content: {
          code: 'main(n=2)',
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false
        }
      })
    );
    const deadline = Date.now() + 30_000;
    while (
      !received.some(
        m =>
          m.header.msg_type === 'execute_reply' &&
          m.parent_header.msg_id === msgId
      )
    ) {
      if (Date.now() > deadline)
        throw new Error('no execute_reply through jupyter_server');
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const reply = received.find(m => m.header.msg_type === 'execute_reply')!;
    expect(reply.content.status).toBe('ok');
    const text = received
      .filter(m => m.header.msg_type === 'stream')
      .map(m => m.content.text)
      .join('');
    expect(text).toContain('line 0\nline 1\n');
    ws.close();
    const del = await fetch(`${serverUrl}/api/kernels/${id}`, {
      method: 'DELETE',
      headers: auth
    });
    expect(del.status).toBe(204);
    expect(gw.kernels.get(id)).toBeUndefined();
  });

  it('nbclient should execute a notebook of designated calls with GatewayKernelManager', async () => {
    const mainPy = path.join(tmp, 'main.py');
    writeFileSync(mainPy, JAX_PROGRAM);
    const result = await run(
      path.join(VENV_BIN, 'python'),
      [RUN_NOTEBOOK, gw.baseUrl, gw.token, mainPy],
      env
    );
    expect(result.stderr).not.toMatch(/Traceback/);
    expect(result.code).toBe(0);
    const outputs = JSON.parse(result.stdout.trim().split('\n').pop()!) as {
      output_type: string;
      text?: string;
      data?: Record<string, unknown>;
    }[][];
    const text = outputs[0]
      .filter(o => o.output_type === 'stream')
      .map(o => o.text)
      .join('');
    expect(text).toContain('line 0\nline 1\n');
    expect(outputs[0].some(o => o.data && METRICS_MIME_TYPE in o.data)).toBe(
      true
    );
    expect(outputs[1].some(o => o.output_type === 'execute_result')).toBe(true);
    expect(gw.kernels.list()).toEqual([]);
  });
});
