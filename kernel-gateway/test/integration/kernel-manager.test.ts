import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';

import type { KernelMessage } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';
import { createKernelLauncher, KernelManager } from '@jaxlab/kernel-gateway';

const PROGRAM = `import jax.numpy as jnp


def main(n=3):
    for i in range(n):
        print("line", i, flush=True)
    print("\\x1b[31mred\\x1b[0m \\x1b]0;title\\x07", flush=True)
    print("Final loss:", float(jnp.sum(jnp.arange(4.0))))
    return {"total": 6.0}


def train_step(seconds=30):
    import time
    for _ in range(seconds * 10):
        time.sleep(0.1)
`;

describe('KernelManager', () => {
  let dataDir: string;
  let kernels: KernelManager;
  const log: string[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync('/tmp/jl-km-');
    chmodSync(dataDir, 0o755);
    kernels = new KernelManager({
      launcher: createKernelLauncher({ log: line => log.push(line) }),
      dataDir,
      maxKernels: 2,
      log: line => log.push(line)
    });
  });

  afterAll(async () => {
    await kernels?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should run main() in a sandboxed kernel and stream sanitised output and metrics', async () => {
    const kernel = await kernels.startKernel({ files: { 'main.py': PROGRAM } });
    expect(kernels.list().map(k => k.id)).toContain(kernel.id);
    const seen: KernelMessage.IIOPubMessage[] = [];
    const reply = await kernel.execute('main()', {
      onIOPub: msg => {
        seen.push(msg);
      }
    });
    expect(reply.status).toBe('ok');
    const text = seen
      .filter(m => m.header.msg_type === 'stream')
      .map(m => (m.content as { text: string }).text)
      .join('');
    expect(text).toMatch(/line 0\nline 1\nline 2\n/);
    expect(text).toContain('\x1b[31mred\x1b[0m');
    expect(text).toContain('\u241b]0;title');
    const metrics = seen.find(
      m =>
        m.header.msg_type === 'display_data' &&
        METRICS_MIME_TYPE in (m.content as { data: object }).data
    );
    expect(metrics).toBeDefined();
    expect(log.some(l => l.includes(`kernel ${kernel.id} started`))).toBe(true);
  });

  it('should interrupt a long call with KeyboardInterrupt and keep the kernel usable', async () => {
    const kernel = await kernels.startKernel({ files: { 'main.py': PROGRAM } });
    const running = kernel.execute('train_step(seconds=30)');
    await new Promise(resolve => setTimeout(resolve, 1500));
    await kernels.interruptKernel(kernel.id);
    const reply = await running;
    expect(reply.status).toBe('error');
    expect((reply as { ename: string }).ename).toBe('KeyboardInterrupt');
    expect((await kernel.execute('main(n=1)')).status).toBe('ok');
  });

  it('should refuse a kernel beyond maxKernels with KERNEL_LIMIT_REACHED', async () => {
    await expect(kernels.startKernel()).rejects.toMatchObject({
      code: 'KERNEL_LIMIT_REACHED'
    });
  });

  it('should restart in place and shut down removing the folder', async () => {
    const [model] = kernels.list();
    const kernel = kernels.get(model.id)!;
    await kernels.restartKernel(kernel.id);
    expect(kernels.get(kernel.id)).toBe(kernel);
    expect((await kernel.execute('main(n=1)')).status).toBe('ok');
    await kernels.shutdownKernel(kernel.id);
    expect(existsSync(kernel.jobDir)).toBe(false);
    expect(kernels.get(kernel.id)).toBeUndefined();
    await expect(kernel.execute('main()')).rejects.toMatchObject({
      code: 'KERNEL_DEAD'
    });
  });

  it('should report a kernel whose process dies as dead', async () => {
    const [model] = kernels.list();
    const kernel = kernels.get(model.id)!;
    const events: string[] = [];
    kernels.kernelChanged.connect(e => events.push(e.type));
    const proc = (kernel as unknown as { _process: { pid: number } })._process;
    process.kill(-proc.pid, 'SIGKILL');
    await kernel.exited;
    expect(kernel.model.execution_state).toBe('dead');
    expect(events).toContain('kernel:dead');
  });
});
