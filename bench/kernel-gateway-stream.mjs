// bench/jobs.mjs's peer for log throughput: Jupyter Kernel Gateway +
// ipykernel running the same print loop, read by one WebSocket client.
import { join } from 'node:path';
import {
  ROOT,
  KernelClient,
  freePort,
  startProcess,
  waitForHttp
} from './lib.mjs';

/**
 * Lines per second one client receives while `main(n=lines)` of `floodPy`
 * prints a number per line, and whether the kernel gateway dropped output.
 */
export async function kernelGatewayStreamThroughput(floodPy, lines, token) {
  const port = await freePort();
  const p = startProcess(join(ROOT, '.venv/bin/jupyter'), [
    'kernelgateway',
    '--KernelGatewayApp.ip=127.0.0.1',
    `--KernelGatewayApp.port=${port}`,
    `--KernelGatewayApp.auth_token=${token}`
  ]);
  const base = `http://127.0.0.1:${port}`;
  const headers = { Authorization: `token ${token}` };
  try {
    await waitForHttp(`${base}/api/kernelspecs`, headers);
    const r = await fetch(`${base}/api/kernels`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'python3' })
    });
    const { id } = await r.json();
    const c = new KernelClient(
      `ws://127.0.0.1:${port}/api/kernels/${id}/channels?token=${token}`
    );
    await c.open();
    await c.execute(floodPy);
    await c.execute('main(n=1000)');
    let text = '';
    const t0 = performance.now();
    await c.execute(`main(n=${lines})`, msg => {
      if (msg.msg_type === 'stream') text += msg.content.text;
    });
    const ms = performance.now() - t0;
    const received = text.split('\n').filter(l => /^\d+$/.test(l));
    c.close();
    return {
      linesPerS: (received.length / ms) * 1000,
      received: received.length,
      dropped: /IOPub (data|message) rate exceeded/.test(text)
    };
  } finally {
    await p.stop();
  }
}
