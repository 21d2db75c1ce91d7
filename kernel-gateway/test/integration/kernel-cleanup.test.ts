/**
 * Removing a kernel whose folder holds a great many files must not hold
 * the gateway: its REST API keeps answering while the folder goes, and
 * the gateway's memory does not grow with the number of files.
 */
import { existsSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';

const FILES = 200_000;

const PROGRAM = `def main(n=${FILES}):
    for i in range(n):
        open(f"f{i}", "w").close()
    return float(n)
`;

describe('KernelManager.shutdownKernel() of a folder with 200,000 files', () => {
  let gw: ITestGateway;

  beforeAll(async () => {
    gw = await startTestGateway({
      limits: { diskMaxFiles: FILES + 1000, wallClockLimitMs: 120_000 }
    });
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  it('should keep GET /api answering within 100 ms and not grow the gateway by the folder', async () => {
    const kernel = await gw.kernels.startKernel({
      files: { 'main.py': PROGRAM }
    });
    const reply = await kernel.execute('main()');
    expect(reply.status).toBe('ok');

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let isRemoving = true;
    const latencies: number[] = [];
    const polling = (async () => {
      while (isRemoving) {
        const started = performance.now();
        await (await gw.api('/api')).json();
        latencies.push(performance.now() - started);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        await new Promise(resolve => setTimeout(resolve, 10));
      }
    })();
    const removing = (async () => {
      const res = await gw.api(`/api/kernels/${kernel.id}`, {
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
