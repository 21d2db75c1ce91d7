// Issue 9's flood benchmark: one kernel prints lines of 1 MiB as fast as it
// can while one of its clients never reads (and others come and go); a
// second kernel's round trip (execute_request until idle) and GET /api are
// timed during the flood and, in the same run, with no flood. Also the
// gateway's peak RSS during the flood against a bound.
//
// Usage: node bench/flood.mjs [--secs 10] [--width 1048576] [--stalled 1]
//   [--rss-bound-mib 1024]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  ROOT,
  KernelClient,
  fmt,
  freePort,
  loadAverage,
  median,
  percentile,
  sleep,
  startProcess,
  waitForHttp
} from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    secs: { type: 'string', default: '10' },
    width: { type: 'string', default: String(1024 * 1024) },
    stalled: { type: 'string', default: '1' },
    'rss-bound-mib': { type: 'string', default: '1024' }
  }
});
const SECS = Number(opts.secs);
const WIDTH = Number(opts.width);
const STALLED = Number(opts.stalled);
const RSS_BOUND_MIB = Number(opts['rss-bound-mib']);
const TOKEN = 'bench-token';
const HEADERS = {
  Authorization: `token ${TOKEN}`,
  'Content-Type': 'application/json'
};

const MAIN_PY = `import time


def flood(secs=3, width=65535):
    line = "A" * width
    end = time.time() + secs
    while time.time() < end:
        print(line)


def main():
    return None
`;

function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  } catch {
    return NaN;
  }
}

async function startKernel(base) {
  const res = await fetch(`${base}/api/kernels`, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      name: 'jaxlab',
      env: { KERNEL_JAXLAB_DESIGNATED_FUNCTIONS: 'flood,main' },
      files: { 'main.py': MAIN_PY }
    })
  });
  if (res.status !== 201) throw new Error(`start: ${res.status}`);
  return (await res.json()).id;
}

async function connect(port, id) {
  const client = new KernelClient(
    `ws://127.0.0.1:${port}/api/kernels/${id}/channels?token=${TOKEN}`
  );
  await client.open();
  return client;
}

async function openRaw(port, id) {
  const ws = new WebSocket(
    `ws://127.0.0.1:${port}/api/kernels/${id}/channels?token=${TOKEN}`
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/** Round trips of `client` and GET /api latencies for `ms`. */
async function measure(base, client, ms) {
  const trips = [];
  const api = [];
  let isRunning = true;
  const polling = (async () => {
    while (isRunning) {
      const t0 = performance.now();
      await (await fetch(`${base}/api`, { headers: HEADERS })).json();
      api.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const t0 = performance.now();
    await client.execute('main()');
    trips.push(performance.now() - t0);
    await sleep(20);
  }
  isRunning = false;
  await polling;
  return { trips, api };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'jxf-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const gw = startProcess('node', [
    join(ROOT, 'kernel-gateway/lib/bin/jaxlab-gateway.js'),
    '--port',
    String(port),
    '--token',
    TOKEN,
    '--data-dir',
    dataDir,
    '--no-run-jobs'
  ]);
  try {
    await waitForHttp(`${base}/api`, HEADERS);
    const [flooding, quiet] = await Promise.all([
      startKernel(base),
      startKernel(base)
    ]);
    const other = await connect(port, quiet);
    for (let i = 0; i < 10; i++) await other.execute('main()');

    const loadBefore = loadAverage();
    const calm = await measure(base, other, Math.min(SECS * 1000, 5000));

    // The flood: its first client asks for it and leaves; STALLED clients
    // connect and never read; others come and go.
    const starter = await connect(port, flooding);
    starter.send('execute_request', {
      code: `flood(secs=${SECS + 2}, width=${WIDTH})`,
      silent: false,
      store_history: false,
      user_expressions: {},
      allow_stdin: false
    });
    await sleep(300);
    starter.close();
    const stalled = [];
    for (let i = 0; i < STALLED; i++) {
      const ws = await openRaw(port, flooding);
      ws.pause();
      stalled.push(ws);
    }
    let isFlooding = true;
    let rssMax = 0;
    const sampling = (async () => {
      while (isFlooding) {
        rssMax = Math.max(rssMax, rssMiB(gw.child.pid));
        await sleep(100);
      }
    })();
    const churn = (async () => {
      while (isFlooding) {
        // Reads without parsing: this process times the round trips.
        const ws = await openRaw(port, flooding);
        await sleep(150);
        ws.terminate();
        await sleep(350);
      }
    })();
    const loadFlood = loadAverage();
    const flood = await measure(base, other, SECS * 1000);
    isFlooding = false;
    await Promise.all([sampling, churn]);
    for (const ws of stalled) ws.terminate();

    const row = (name, m, l) =>
      `| ${name} | ${fmt(median(m.trips), 2)} | ${fmt(percentile(m.trips, 99), 2)} | ${m.trips.length} | ${fmt(median(m.api), 2)} | ${fmt(percentile(m.api, 99), 2)} | ${m.api.length} | ${l} |`;
    console.log(
      `flood: one kernel prints ${WIDTH}-byte lines for ${SECS} s; ${STALLED} client(s) never read, one more connects and leaves every 0.5 s`
    );
    console.log();
    console.log(
      '| phase | second kernel round trip median ms | p99 ms | n | GET /api median ms | p99 ms | n | load avg at start |'
    );
    console.log('| --- | --: | --: | --: | --: | --: | --: | --- |');
    console.log(row('no flood (baseline)', calm, loadBefore));
    console.log(row('during the flood', flood, loadFlood));
    console.log();
    const ratio = (a, b) => fmt(a / b, 2);
    console.log('| ratio (flood / no flood) | value | goal |');
    console.log('| --- | --: | --- |');
    const tripRatio = percentile(flood.trips, 99) / percentile(calm.trips, 99);
    const apiRatio = percentile(flood.api, 99) / percentile(calm.api, 99);
    console.log(
      `| second kernel round trip p99 | ${ratio(percentile(flood.trips, 99), percentile(calm.trips, 99))} | <= 2 ${tripRatio <= 2 ? 'met' : 'NOT met'} |`
    );
    console.log(
      `| GET /api p99 | ${ratio(percentile(flood.api, 99), percentile(calm.api, 99))} | <= 2 ${apiRatio <= 2 ? 'met' : 'NOT met'} |`
    );
    console.log(
      `| gateway peak RSS during the flood | ${fmt(rssMax, 0)} MiB | <= ${RSS_BOUND_MIB} MiB ${rssMax <= RSS_BOUND_MIB ? 'met' : 'NOT met'} |`
    );
    other.close();
  } finally {
    await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
