/**
 * Removing a kernel whose folder holds a great many files must not hold
 * the gateway: its REST API keeps answering while the folder goes, and
 * the gateway's memory does not grow with the number of files.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  KernelManager,
  createGateway,
  createKernelLauncher
} from '@jaxlab/kernel-gateway';
import type { IGateway } from '@jaxlab/kernel-gateway';

const FILES = 200_000;

const PROGRAM = `def main(n=${FILES}):
    for i in range(n):
        open(f"f{i}", "w").close()
    return float(n)
`;

describe('KernelManager.shutdownKernel() of a folder with 200,000 files', () => {
  let dataDir: string;
  let kernels: KernelManager;
  let gateway: IGateway;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync('/tmp/jl-cl-');
    chmodSync(dataDir, 0o755);
    kernels = new KernelManager({
      launcher: createKernelLauncher({
        limits: { diskMaxFiles: FILES + 1000, wallClockLimitMs: 120_000 }
      }),
      dataDir
    });
    gateway = createGateway({ kernels, token: '' });
    const { port } = await gateway.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await gateway?.close();
    await kernels?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should keep GET /api answering within 100 ms and not grow the gateway by the folder', async () => {
    const kernel = await kernels.startKernel({ files: { 'main.py': PROGRAM } });
    const reply = await kernel.execute('main()');
    expect(reply.status).toBe('ok');

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let isRemoving = true;
    const latencies: number[] = [];
    const polling = (async () => {
      while (isRemoving) {
        const started = performance.now();
        await (await fetch(`${baseUrl}/api`)).json();
        latencies.push(performance.now() - started);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        await new Promise(resolve => setTimeout(resolve, 10));
      }
    })();
    const removing = (async () => {
      const res = await fetch(`${baseUrl}/api/kernels/${kernel.id}`, {
        method: 'DELETE'
      });
      expect(res.status).toBe(204);
    })();
    await removing.finally(() => (isRemoving = false));
    await polling;

    expect(existsSync(kernel.jobDir)).toBe(false);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(100);
    expect(rssPeak - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
