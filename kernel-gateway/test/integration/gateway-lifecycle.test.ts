/**
 * Kernel lifecycle as clients of the gateway see it: idle culling, death
 * detected through the heartbeat, and a kernel that fails to start.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';
import { sandboxProcesses } from './sandbox-processes.js';
import { executeRequest, openChannels } from './ws-client.js';
import { labPaths } from '@jaxlab/paths';
import {
  createGateway,
  createKernelLauncher,
  KernelManager
} from '@jaxlab/kernel-gateway';
import type { KernelEvent } from '@jaxlab/kernel-gateway';

const VENV = labPaths().venvDir;

async function listedIds(gw: ITestGateway): Promise<string[]> {
  const res = await gw.api('/api/kernels');
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }[]).map(k => k.id);
}

async function until(
  condition: () => boolean,
  timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(resolve => setTimeout(resolve, 25));
  }
}

describe('KernelManager idle culling', () => {
  let gw: ITestGateway;
  const events: KernelEvent[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ idleCullMs: 800 });
    gw.kernels.kernelChanged.connect(event => events.push(event));
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  it('should cull an idle kernel without clients, and keep one with a client until it leaves', async () => {
    const watched = await gw.kernels.startKernel();
    const client = await openChannels(gw.port, gw.token, watched.id);
    const idle = await gw.kernels.startKernel();
    expect((await listedIds(gw)).sort()).toEqual([idle.id, watched.id].sort());

    await until(
      () =>
        events.some(e => e.type === 'kernel:culled' && e.kernelId === idle.id),
      10_000
    );
    const culled = events.find(
      e => e.type === 'kernel:culled' && e.kernelId === idle.id
    ) as { idleMs: number };
    expect(culled.idleMs).toBeGreaterThanOrEqual(800);
    await until(
      () =>
        events.some(
          e => e.type === 'kernel:shutdown' && e.kernelId === idle.id
        ),
      10_000
    );
    expect(await listedIds(gw)).toEqual([watched.id]);
    expect((await gw.api(`/api/kernels/${idle.id}`)).status).toBe(404);
    expect(existsSync(idle.jobDir)).toBe(false);
    expect(sandboxProcesses(idle.id, idle.jobDir)).toEqual([]);
    expect(gw.log.some(l => l.includes(`kernel ${idle.id} culled`))).toBe(true);

    // Connected for longer than the idle time: still there. Once the client left, culled.
    await new Promise(resolve => setTimeout(resolve, 1200));
    expect(await listedIds(gw)).toEqual([watched.id]);
    await client.close();
    await until(
      () =>
        events.some(
          e => e.type === 'kernel:culled' && e.kernelId === watched.id
        ),
      10_000
    );
    await until(() => gw.kernels.list().length === 0, 10_000);
    expect(await listedIds(gw)).toEqual([]);
  });

  it("should keep a job's kernel (a warm one waiting idle too) out of the kernels API and out of culling", async () => {
    const job = await gw.kernels.startKernel({ forJob: true });
    const user = await gw.kernels.startKernel();
    const listed = await listedIds(gw);
    expect(listed).toContain(user.id);
    expect(listed).not.toContain(job.id);
    expect((await gw.api(`/api/kernels/${job.id}`)).status).toBe(404);
    const session = await gw.api('/api/sessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        path: 'x.ipynb',
        type: 'notebook',
        kernel: { id: job.id }
      })
    });
    expect(session.status).toBe(404);
    await expect(openChannels(gw.port, gw.token, job.id)).rejects.toThrow();
    // The user's idle kernel is culled; the job's, as idle, is not.
    await until(
      () =>
        events.some(
          e => e.type === 'kernel:shutdown' && e.kernelId === user.id
        ),
      10_000
    );
    await new Promise(resolve => setTimeout(resolve, 1200));
    expect(gw.kernels.get(job.id)?.isDead).toBe(false);
    await gw.kernels.shutdownKernel(job.id, { now: true });
  });
});

describe('KernelSession heartbeat', () => {
  let gw: ITestGateway;
  let stopped: number[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ heartbeatIntervalMs: 400 });
  });

  afterEach(() => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    stopped = [];
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  it('should report a kernel whose heartbeat stops answering as dead to connected clients', async () => {
    const kernel = await gw.kernels.startKernel();
    const events: KernelEvent[] = [];
    gw.kernels.kernelChanged.connect(event => events.push(event));
    const client = await openChannels(gw.port, gw.token, kernel.id);
    // A call works, so the kernel was alive.
    const request = executeRequest('main()', client.session);
    client.send(request);
    await client.waitFor(
      m =>
        m.header.msg_type === 'execute_reply' &&
        m.parent_header.msg_id === request.header.msg_id
    );

    // Freeze the kernel's Python: its process lives on, its heartbeat is silent.
    const python = sandboxProcesses(kernel.id, kernel.jobDir).filter(p =>
      p.comm.startsWith('python')
    );
    expect(python).toHaveLength(1);
    process.kill(python[0]!.pid, 'SIGSTOP');
    stopped.push(python[0]!.pid);
    const stoppedAt = Date.now();

    const dead = await client.waitFor(
      m =>
        m.channel === 'iopub' &&
        m.header.msg_type === 'status' &&
        m.content.execution_state === 'dead',
      15_000
    );
    expect(dead).toBeDefined();
    // three missed beats of 400 ms, not an instant
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(700);
    const event = events.find(
      e => e.type === 'kernel:dead' && e.kernelId === kernel.id
    ) as { reason: string };
    expect(event.reason).toMatch(/missed \d+ heartbeats/);
    const model = (await (
      await gw.api(`/api/kernels/${kernel.id}`)
    ).json()) as { execution_state: string };
    expect(model.execution_state).toBe('dead');
    // The gateway tore the frozen sandbox down.
    await kernel.exited;
    await until(
      () => sandboxProcesses(kernel.id, kernel.jobDir).length === 0,
      10_000
    );
    await client.close();
  });
});

describe('KernelManager.startKernel() with a kernel that exits at once', () => {
  let dataDir: string;
  let fakeVenv: string;
  let kernels: KernelManager;

  beforeAll(() => {
    dataDir = mkdtempSync('/tmp/jl-sf-');
    chmodSync(dataDir, 0o755);
    // A venv whose python dies at once, saying why on stderr.
    fakeVenv = mkdtempSync('/tmp/jl-fv-');
    chmodSync(fakeVenv, 0o755);
    mkdirSync(path.join(fakeVenv, 'bin'), { mode: 0o755 });
    writeFileSync(
      path.join(fakeVenv, 'pyvenv.cfg'),
      readFileSync(path.join(VENV, 'pyvenv.cfg'))
    );
    writeFileSync(
      path.join(fakeVenv, 'bin', 'python'),
      '#!/bin/sh\necho "jaxlab_harness: cannot start: the kernel exploded" >&2\nexit 3\n',
      { mode: 0o755 }
    );
    kernels = new KernelManager({
      launcher: createKernelLauncher({ venvDir: fakeVenv }),
      dataDir
    });
  });

  afterAll(async () => {
    await kernels?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(fakeVenv, { recursive: true, force: true });
  });

  it('should fail with KERNEL_START_FAILED carrying the exit and the stderr tail, leaving nothing behind', async () => {
    const error = await kernels
      .startKernel({ files: { 'main.py': 'def main():\n    return 1\n' } })
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string; hint?: string }
      );
    expect(error?.code).toBe('KERNEL_START_FAILED');
    expect(error?.message).toContain('exited (code 3');
    expect(error?.message).toContain('cannot start: the kernel exploded');
    expect(error?.hint).toBeTruthy();
    expect(kernels.list()).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'kernels'))).toEqual([]);
  });

  it('should carry the stderr tail of an unsandboxed kernel too', async () => {
    const unsafe = new KernelManager({
      launcher: createKernelLauncher({
        venvDir: fakeVenv,
        unsafeNoSandbox: true
      }),
      dataDir
    });
    try {
      await expect(unsafe.startKernel()).rejects.toMatchObject({
        code: 'KERNEL_START_FAILED',
        message: expect.stringContaining('cannot start: the kernel exploded')
      });
    } finally {
      await unsafe.dispose();
    }
  });

  it('should answer POST /api/kernels with the same error as JSON', async () => {
    const gateway = createGateway({ kernels, token: 't' });
    const { port } = await gateway.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/kernels`, {
        method: 'POST',
        headers: {
          Authorization: 'token t',
          'Content-Type': 'application/json'
        },
        body: JSON.stringify({ name: 'jaxlab' })
      });
      expect(res.status).toBeGreaterThanOrEqual(500);
      const body = (await res.json()) as {
        code: string;
        message: string;
        reason: string;
      };
      expect(body.code).toBe('KERNEL_START_FAILED');
      expect(body.message).toContain('the kernel exploded');
    } finally {
      await gateway.close();
    }
  });
});
