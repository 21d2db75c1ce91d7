// Issue 2's benchmark: our gateway (sandboxed restricted kernels) against
// Jupyter Kernel Gateway with a stock ipykernel, on this machine, in one run.
// For each: kernel start (POST until kernel_info_reply), execute round trip
// of a trivial call, stream throughput (lines/s from one call to one
// WebSocket client, and how many arrived). Then our/peer ratios.
//
// Usage: node bench/gateway-vs-kernel-gateway.mjs [--starts 7] [--trips 50] [--lines 100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  KernelClient,
  PY,
  ROOT,
  fmt,
  freePort,
  median,
  percentile,
  startProcess,
  waitForHttp
} from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    starts: { type: 'string', default: '7' },
    trips: { type: 'string', default: '50' },
    lines: { type: 'string', default: '100000' },
    prespawn: { type: 'string', default: '2' }
  }
});
const STARTS = Number(opts.starts);
const TRIPS = Number(opts.trips);
const LINES = Number(opts.lines);
const TOKEN = 'bench-token';

const MAIN_PY = `def main():
    """A trivial designated call."""
    return None


def train_step(n=0):
    """Prints n lines."""
    for i in range(n):
        print(i)
`;

async function ours(prespawn) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jxb-'));
  const port = await freePort();
  const p = startProcess('node', [
    join(ROOT, 'kernel-gateway/lib/bin/jaxlab-gateway.js'),
    '--port', String(port), '--token', TOKEN, '--data-dir', dataDir,
    '--prespawn', String(prespawn), '--max-kernels', '64'
  ]);
  return {
    name: prespawn ? `jaxlab (pool ${prespawn})` : 'jaxlab',
    base: `http://127.0.0.1:${port}`,
    kernelName: 'jaxlab',
    proc: p,
    async setup(base, id, client) {
      const r = await fetch(`${base}/api/kernels/${id}/files/main.py`, {
        method: 'PUT',
        headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'text/plain' },
        body: MAIN_PY
      });
      if (!r.ok) throw new Error(`files: ${r.status} ${await r.text()}`);
      void client;
    },
    trivial: 'main()',
    flood: n => `train_step(n=${n})`,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true })
  };
}

async function peer() {
  const port = await freePort();
  const p = startProcess(join(ROOT, '.venv/bin/jupyter'), [
    'kernelgateway',
    '--KernelGatewayApp.ip=127.0.0.1',
    `--KernelGatewayApp.port=${port}`,
    `--KernelGatewayApp.auth_token=${TOKEN}`,
    '--KernelGatewayApp.default_kernel_name=python3'
  ]);
  return {
    name: 'Jupyter Kernel Gateway + ipykernel',
    base: `http://127.0.0.1:${port}`,
    kernelName: 'python3',
    proc: p,
    async setup(_base, _id, client) {
      await client.request('execute_request', {
        code: MAIN_PY, silent: false, store_history: false,
        user_expressions: {}, allow_stdin: false, stop_on_error: true
      });
    },
    trivial: 'main()',
    flood: n => `train_step(n=${n})`,
    cleanup: () => {}
  };
}

async function startKernel(t) {
  const headers = { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' };
  const t0 = performance.now();
  const r = await fetch(`${t.base}/api/kernels`, {
    method: 'POST', headers, body: JSON.stringify({ name: t.kernelName })
  });
  if (r.status !== 201) throw new Error(`start: ${r.status} ${await r.text()}`);
  const { id } = await r.json();
  const client = new KernelClient(
    `${t.base.replace('http', 'ws')}/api/kernels/${id}/channels?token=${TOKEN}`
  );
  await client.open();
  // The kernel may not answer the first request until it is ready; retry.
  let reply;
  while (!reply) {
    reply = await Promise.race([
      client.request('kernel_info_request', {}),
      new Promise(res => setTimeout(() => res(undefined), 2000))
    ]);
  }
  return { id, client, ms: performance.now() - t0 };
}

async function stopKernel(t, k) {
  k.client.close();
  await fetch(`${t.base}/api/kernels/${k.id}`, {
    method: 'DELETE', headers: { Authorization: `token ${TOKEN}` }
  });
}

const exec = (client, code, onIOPub) =>
  client.request(
    'execute_request',
    { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    onIOPub
  );

async function measure(t) {
  await waitForHttp(`${t.base}/api/kernelspecs`, { Authorization: `token ${TOKEN}` });
  const starts = [];
  for (let i = 0; i < STARTS; i++) {
    const k = await startKernel(t);
    starts.push(k.ms);
    await stopKernel(t, k);
    // Give a pool time to refill so each start is measured the same way.
    await new Promise(r => setTimeout(r, t.name.includes('pool') ? 1500 : 200));
  }
  const k = await startKernel(t);
  await t.setup(t.base, k.id, k.client);
  await exec(k.client, t.trivial); // warm-up
  const trips = [];
  for (let i = 0; i < TRIPS; i++) {
    const t0 = performance.now();
    const reply = await exec(k.client, t.trivial);
    trips.push(performance.now() - t0);
    if (reply.content.status !== 'ok') throw new Error(JSON.stringify(reply.content));
  }
  let text = '';
  const t0 = performance.now();
  await exec(k.client, t.flood(LINES), msg => {
    if (msg.msg_type === 'stream') text += msg.content.text;
  });
  const floodMs = performance.now() - t0;
  const lines = text.split('\n').filter(l => /^\d+$/.test(l));
  let inOrder = lines.length > 0;
  for (let i = 0; i < lines.length && inOrder; i++) inOrder = lines[i] === String(i);
  await stopKernel(t, k);
  return {
    startMedian: median(starts), startP99: percentile(starts, 99),
    tripMedian: median(trips), tripP99: percentile(trips, 99),
    linesPerS: (lines.length / floodMs) * 1000,
    received: lines.length, inOrder: inOrder && lines.length === LINES,
    dropped: /IOPub (data|message) rate exceeded/.test(text)
  };
}

const results = [];
for (const make of [() => ours(0), () => ours(Number(opts.prespawn)), peer]) {
  const t = await make();
  try {
    results.push([t.name, await measure(t)]);
  } catch (e) {
    console.error(`${t.name} failed: ${e.message}\n${t.proc.log().slice(-2000)}`);
    results.push([t.name, null]);
  } finally {
    await t.proc.stop();
    t.cleanup();
  }
}

console.log(`\nkernel start: ${STARTS} starts; round trip: ${TRIPS} trivial calls; stream: one call printing ${LINES} lines\n`);
console.log('| gateway | start median ms | start p99 ms | round trip median ms | round trip p99 ms | lines/s | lines received |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, r] of results) {
  if (!r) { console.log(`| ${name} | failed | | | | | |`); continue; }
  console.log(`| ${name} | ${fmt(r.startMedian)} | ${fmt(r.startP99)} | ${fmt(r.tripMedian, 2)} | ${fmt(r.tripP99, 2)} | ${fmt(r.linesPerS, 0)} | ${r.received}/${LINES}${r.inOrder ? ' in order' : ''}${r.dropped ? ' (peer dropped output: rate limit)' : ''} |`);
}
const [cold, pool, kg] = results.map(r => r[1]);
if (cold && kg) {
  console.log('\nratios (ours / peer; goal in brackets):');
  console.log(`  cold start      ${fmt(cold.startMedian / kg.startMedian, 2)}x  [<= 1.0]`);
  if (pool) console.log(`  start from pool ${fmt(pool.startMedian / kg.startMedian, 2)}x  [<= 0.2]`);
  console.log(`  round trip      ${fmt(cold.tripMedian / kg.tripMedian, 2)}x  [<= 0.5]`);
  console.log(`  throughput      ${fmt(cold.linesPerS / kg.linesPerS, 2)}x  [>= 1.0, nothing lost]`);
}
process.exit(0);
