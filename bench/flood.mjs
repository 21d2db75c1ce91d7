// Issue 9's flood benchmark: one kernel prints lines of 1 MiB as fast as it
// can while one of its clients never reads (and others come and go); a
// second kernel's round trip (execute_request until idle) and GET /api are
// timed during the flood and, in the same run, with no flood. Calm and
// flood windows alternate (--rounds of each, --secs long), so both see the
// same background load of a shared machine. Also the gateway's peak RSS
// during the flood against a bound.
//
// Usage: node bench/flood.mjs [--secs 5] [--rounds 3] [--width 1048576]
//   [--stalled 1] [--rss-bound-mib 1024]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import {
  KernelClient,
  fmt,
  loadAverage,
  median,
  percentile,
  sleep,
  startGatewayProcess,
  waitForHttp
} from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    secs: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    width: { type: 'string', default: String(1024 * 1024) },
    stalled: { type: 'string', default: '1' },
    'rss-bound-mib': { type: 'string', default: '1024' }
  }
});
const SECS = Number(opts.secs);
const ROUNDS = Number(opts.rounds);
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

/** Milliseconds thread `pid` ran and waited for a CPU (/proc schedstat). */
function schedMs(pid) {
  try {
    const [run, wait] = readFileSync(
      `/proc/${pid}/task/${pid}/schedstat`,
      'utf8'
    )
      .split(' ')
      .map(Number);
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return { run: NaN, wait: NaN };
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
  const {
    base,
    port,
    proc: gw
  } = await startGatewayProcess(dataDir, TOKEN, ['--no-run-jobs']);
  try {
    await waitForHttp(`${base}/api`, HEADERS);
    const [flooding, quiet] = await Promise.all([
      startKernel(base),
      startKernel(base)
    ]);
    const other = await connect(port, quiet);
    for (let i = 0; i < 10; i++) await other.execute('main()');

    const calm = { trips: [], api: [] };
    const flood = { trips: [], api: [] };
    const loads = { calm: [], flood: [] };
    // Where the gateway's main thread spent each window: running, or
    // runnable but waiting for a CPU (what other processes cost it).
    const cpu = {
      calm: { run: 0, wait: 0, ms: 0 },
      flood: { run: 0, wait: 0, ms: 0 }
    };
    const add = (into, m) => {
      into.trips.push(...m.trips);
      into.api.push(...m.api);
    };
    const timed = async (phase, window) => {
      const [s0, t0] = [schedMs(gw.child.pid), performance.now()];
      const m = await window();
      const s1 = schedMs(gw.child.pid);
      cpu[phase].run += s1.run - s0.run;
      cpu[phase].wait += s1.wait - s0.wait;
      cpu[phase].ms += performance.now() - t0;
      return m;
    };
    const isIdle = async () =>
      (
        await (
          await fetch(`${base}/api/kernels/${flooding}`, { headers: HEADERS })
        ).json()
      ).execution_state === 'idle';
    const stalled = [];
    let rssMax = 0;
    for (let round = 0; round < ROUNDS; round++) {
      loads.calm.push(loadAverage().split(' ')[0]);
      add(calm, await timed('calm', () => measure(base, other, SECS * 1000)));

      // The flood: its first client asks for it and leaves; STALLED clients
      // connect and never read (they stay for the whole run); others come
      // and go.
      const starter = await connect(port, flooding);
      starter.send('execute_request', {
        code: `flood(secs=${SECS + 1}, width=${WIDTH})`,
        silent: false,
        store_history: false,
        user_expressions: {},
        allow_stdin: false
      });
      await sleep(300);
      starter.close();
      while (stalled.length < STALLED) {
        const ws = await openRaw(port, flooding);
        ws.pause();
        stalled.push(ws);
      }
      let isFlooding = true;
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
      loads.flood.push(loadAverage().split(' ')[0]);
      add(flood, await timed('flood', () => measure(base, other, SECS * 1000)));
      isFlooding = false;
      await Promise.all([sampling, churn]);
      // The next calm window starts once the flood is over and the
      // gateway has seen it end (its kernel's CPU priority restored).
      while (!(await isIdle())) await sleep(100);
      await sleep(3500);
    }
    for (const ws of stalled) ws.terminate();
    const loadBefore = loads.calm.join(', ');
    const loadFlood = loads.flood.join(', ');

    const row = (name, m, l) =>
      `| ${name} | ${fmt(median(m.trips), 2)} | ${fmt(percentile(m.trips, 99), 2)} | ${m.trips.length} | ${fmt(median(m.api), 2)} | ${fmt(percentile(m.api, 99), 2)} | ${m.api.length} | ${l} |`;
    console.log(
      `flood: ${ROUNDS} rounds of ${SECS} s with no flood, then ${SECS} s while one kernel prints ${WIDTH}-byte lines; ${STALLED} client(s) never read, one more connects and leaves every 0.5 s`
    );
    console.log();
    console.log(
      '| phase | second kernel round trip median ms | p99 ms | n | GET /api median ms | p99 ms | n | 1-min load avg at each window |'
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
    console.log();
    for (const phase of ['calm', 'flood']) {
      const c = cpu[phase];
      console.log(
        `gateway main thread, ${phase === 'calm' ? 'no flood' : 'during the flood'}: ran ${fmt((100 * c.run) / c.ms, 0)}% of the time, waited for a CPU ${fmt((100 * c.wait) / c.ms, 0)}%`
      );
    }
    other.close();
  } finally {
    await gw.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
