import { chmodSync, mkdtempSync, rmSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernelLauncher, KernelManager } from '@jaxlab/kernel-gateway';
import type { KernelEvent } from '@jaxlab/kernel-gateway';

const PROGRAM = `def main():
    print("from the pool", flush=True)
    return {"ok": 1.0}
`;

describe('KernelManager prespawn pool', () => {
  let dataDir: string;
  let kernels: KernelManager;
  const events: KernelEvent[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync('/tmp/jl-pool-');
    chmodSync(dataDir, 0o755);
    kernels = new KernelManager({
      launcher: createKernelLauncher(),
      dataDir,
      prespawn: 1
    });
    kernels.kernelChanged.connect(e => events.push(e));
    const deadline = Date.now() + 30_000;
    while (kernels.poolSize < 1 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    await kernels?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should serve a start from the pool much faster than a cold start, with the files written', async () => {
    expect(kernels.poolSize).toBe(1);
    let t = Date.now();
    const pooled = await kernels.startKernel({ files: { 'main.py': PROGRAM } });
    const pooledMs = Date.now() - t;
    expect(events.find(e => e.type === 'kernel:started')).toMatchObject({
      kernelId: pooled.id,
      isFromPool: true
    });
    const out: string[] = [];
    const reply = await pooled.execute('main()', {
      onIOPub: m => {
        if (m.header.msg_type === 'stream') {
          out.push((m.content as { text: string }).text);
        }
      }
    });
    expect(reply.status).toBe('ok');
    expect(out.join('')).toContain('from the pool');

    t = Date.now();
    const cold = await kernels.startKernel({
      designatedFunctions: ['main'],
      files: { 'main.py': PROGRAM }
    });
    const coldMs = Date.now() - t;
    expect(
      events.find(e => e.type === 'kernel:started' && e.kernelId === cold.id)
    ).toMatchObject({ isFromPool: false });
    expect(pooledMs).toBeLessThan(coldMs / 2);
    expect(kernels.list()).toHaveLength(2);
  });
});
