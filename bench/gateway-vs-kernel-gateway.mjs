// Issue 2's benchmark: our gateway (sandboxed restricted kernels) against
// Jupyter Kernel Gateway with a stock ipykernel, on this machine, in one run.
// For each: kernel start (POST until kernel_info_reply), execute round trip
// of a trivial call, stream throughput (lines/s from one call to one
// WebSocket client, and how many arrived). Then our/peer ratios.
//
// Usage: node bench/gateway-vs-kernel-gateway.mjs [--starts 9] [--trips 100] [--lines 100000]
//   [--prespawn 2] [--variants cold,pool,peer,peer-nodelay,unsandboxed]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  PY,
  ROOT,
  KernelClient,
  fmt,
  freePort,
  headerDateMs,
  loadAverage,
  median,
  percentile,
  startGatewayProcess,
  startProcess,
  waitForHttp
} from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    starts: { type: 'string', default: '9' },
    trips: { type: 'string', default: '100' },
    lines: { type: 'string', default: '100000' },
    prespawn: { type: 'string', default: '2' },
    // cold, pool, peer, peer-nodelay (peer with TCP_NODELAY, a reference),
    // unsandboxed (ours without bubblewrap: where the sandbox's time goes).
    variants: {
      type: 'string',
      default: 'cold,pool,peer,peer-nodelay,unsandboxed'
    }
  }
});
const STARTS = Number(opts.starts);
const TRIPS = Number(opts.trips);
const LINES = Number(opts.lines);
const PRESPAWN = Number(opts.prespawn);
const TOKEN = 'bench-token';

const MAIN_PY = `def main():
    """A trivial designated call."""
    return None


def train_step(n=0):
    """Prints n lines."""
    for i in range(n):
        print(i)
`;

async function ours({ prespawn = 0, unsandboxed = false } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jxb-'));
  const { base, proc } = await startGatewayProcess(dataDir, TOKEN, [
    '--prespawn',
    String(prespawn),
    '--max-kernels',
    '64',
    '--no-run-jobs',
    ...(unsandboxed ? ['--unsafe-no-sandbox'] : [])
  ]);
  return {
    name: unsandboxed
      ? 'jaxlab --unsafe-no-sandbox (profiling only)'
      : prespawn
        ? `jaxlab from the pool (prespawn ${prespawn})`
        : 'jaxlab cold',
    isPool: prespawn > 0,
    base,
    kernelName: 'jaxlab',
    proc,
    async setup(base, id) {
      const r = await fetch(`${base}/api/kernels/${id}/files/main.py`, {
        method: 'PUT',
        headers: {
          Authorization: `token ${TOKEN}`,
          'Content-Type': 'text/plain'
        },
        body: MAIN_PY
      });
      if (!r.ok) throw new Error(`files: ${r.status} ${await r.text()}`);
    },
    cleanup: () => rmSync(dataDir, { recursive: true, force: true })
  };
}

async function peer({ nodelay = false } = {}) {
  const port = await freePort();
  const args = [
    'kernelgateway',
    '--KernelGatewayApp.ip=127.0.0.1',
    `--KernelGatewayApp.port=${port}`,
    `--KernelGatewayApp.auth_token=${TOKEN}`,
    '--KernelGatewayApp.default_kernel_name=python3'
  ];
  const p = nodelay
    ? startProcess(PY, [
        join(ROOT, 'bench/peer/kernelgateway_nodelay.py'),
        ...args.slice(1)
      ])
    : startProcess(join(ROOT, '.venv/bin/jupyter'), args);
  return {
    name: nodelay
      ? 'Kernel Gateway + ipykernel, TCP_NODELAY (reference)'
      : 'Jupyter Kernel Gateway + ipykernel',
    isPool: false,
    base: `http://127.0.0.1:${port}`,
    kernelName: 'python3',
    proc: p,
    async setup(_base, _id, client) {
      await client.execute(MAIN_PY);
    },
    cleanup: () => {}
  };
}

const VARIANTS = {
  cold: () => ours(),
  pool: () => ours({ prespawn: PRESPAWN }),
  peer: () => peer(),
  'peer-nodelay': () => peer({ nodelay: true }),
  unsandboxed: () => ours({ unsandboxed: true })
};

async function startKernel(t) {
  const headers = {
    Authorization: `token ${TOKEN}`,
    'Content-Type': 'application/json'
  };
  const t0 = performance.now();
  const r = await fetch(`${t.base}/api/kernels`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: t.kernelName })
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
    method: 'DELETE',
    headers: { Authorization: `token ${TOKEN}` }
  });
}

async function measure(t) {
  await waitForHttp(`${t.base}/api/kernelspecs`, {
    Authorization: `token ${TOKEN}`
  });
  const settle = () => new Promise(r => setTimeout(r, t.isPool ? 3000 : 300));
  // Warm-up start (page cache, first imports), not counted.
  if (t.isPool) await settle();
  await stopKernel(t, await startKernel(t));
  await settle();
  const starts = [];
  for (let i = 0; i < STARTS; i++) {
    const k = await startKernel(t);
    starts.push(k.ms);
    await stopKernel(t, k);
    // A pool refills in the background: give it time so every start is
    // measured the same way (hits are counted from the gateway's log).
    await settle();
  }
  const poolHits = (t.proc.log().match(/from the prespawn pool/g) ?? []).length;
  const serverStarts = [
    ...t.proc.log().matchAll(/started \((?:UN)?sandboxed[^)]*\) in (\d+) ms/gi)
  ].map(m => Number(m[1]));
  const k = await startKernel(t);
  await t.setup(t.base, k.id, k.client);
  for (let i = 0; i < 5; i++) await k.client.execute('main()'); // warm-up
  const trips = [];
  // Where a round trip goes, from the kernel's own header dates (same clock):
  // client -> kernel (busy status stamped), inside the kernel (busy -> idle
  // stamped), kernel -> client (idle stamped -> idle received).
  const legs = { toKernel: [], inKernel: [], fromKernel: [] };
  for (let i = 0; i < TRIPS; i++) {
    const t0 = performance.now();
    const reply = await k.client.execute('main()');
    trips.push(performance.now() - t0);
    if (reply.content.status !== 'ok')
      throw new Error(JSON.stringify(reply.content));
    const { sentAt, busy, idle } = reply.timing;
    if (busy && idle) {
      legs.toKernel.push(headerDateMs(busy.header.date) - sentAt);
      legs.inKernel.push(
        headerDateMs(idle.header.date) - headerDateMs(busy.header.date)
      );
      legs.fromKernel.push(idle.receivedAt - headerDateMs(idle.header.date));
    }
  }
  await k.client.execute(`train_step(n=${Math.min(LINES, 1000)})`); // warm-up
  let text = '';
  let messages = 0;
  const t0 = performance.now();
  await k.client.execute(`train_step(n=${LINES})`, msg => {
    if (msg.msg_type === 'stream') {
      text += msg.content.text;
      messages++;
    }
  });
  const floodMs = performance.now() - t0;
  const lines = text.split('\n').filter(l => /^\d+$/.test(l));
  let inOrder = lines.length === LINES;
  for (let i = 0; i < lines.length && inOrder; i++)
    inOrder = lines[i] === String(i);
  await stopKernel(t, k);
  return {
    startMedian: median(starts),
    startP99: percentile(starts, 99),
    poolHits: t.isPool ? `${Math.max(0, poolHits - 1)}/${STARTS}` : '',
    serverStartMedian: median(serverStarts.slice(1, 1 + STARTS)),
    tripMedian: median(trips),
    tripP99: percentile(trips, 99),
    legs: Object.fromEntries(
      Object.entries(legs).map(([k, v]) => [k, median(v)])
    ),
    linesPerS: (lines.length / floodMs) * 1000,
    floodMs,
    messages,
    received: lines.length,
    inOrder,
    dropped: /IOPub (data|message) rate exceeded/.test(text)
  };
}

console.log(
  `# ${new Date().toISOString()} on ${hostname()}: ${cpus().length} cores (${cpus()[0]?.model}), load average ${loadAverage()}`
);
console.log(
  `# node bench/gateway-vs-kernel-gateway.mjs --starts ${STARTS} --trips ${TRIPS} --lines ${LINES} --prespawn ${PRESPAWN} --variants ${opts.variants}`
);
const results = {};
for (const v of opts.variants.split(',')) {
  const t = await VARIANTS[v]();
  const loadBefore = loadAverage();
  try {
    results[v] = {
      name: t.name,
      ...(await measure(t)),
      load: `${loadBefore} -> ${loadAverage()}`
    };
  } catch (e) {
    console.error(`${t.name} failed: ${e.stack}\n${t.proc.log().slice(-2000)}`);
    results[v] = null;
  } finally {
    await t.proc.stop();
    t.cleanup();
  }
  console.error(`# ${v} done (load ${loadAverage()})`);
}

console.log(
  `\nkernel start: ${STARTS} starts after 1 warm-up; round trip: ${TRIPS} trivial calls \`main()\` after 5 warm-up; stream: one call \`train_step(n=${LINES})\` printing ${LINES} lines to one WebSocket client\n`
);
console.log(
  '| gateway | start median ms | start p99 ms | round trip median ms | round trip p99 ms | stream lines/s | lines received (stream msgs) | load avg during |'
);
console.log('| --- | --: | --: | --: | --: | --: | --- | --- |');
for (const [v, r] of Object.entries(results)) {
  if (!r) {
    console.log(`| ${v} | failed | | | | | | |`);
    continue;
  }
  const note = [
    r.inOrder ? 'in order' : 'MISSING/OUT OF ORDER',
    r.dropped ? 'rate limit hit' : '',
    r.poolHits ? `pool hits ${r.poolHits}` : ''
  ]
    .filter(Boolean)
    .join(', ');
  console.log(
    `| ${r.name} | ${fmt(r.startMedian)} | ${fmt(r.startP99)} | ${fmt(r.tripMedian, 2)} | ${fmt(r.tripP99, 2)} | ${fmt(r.linesPerS, 0)} | ${r.received}/${LINES} (${r.messages}) ${note} | ${r.load} |`
  );
}
console.log(
  "\nround trip legs (medians, ms; from the kernel's header dates, same clock): client -> kernel busy | busy -> idle in the kernel | kernel idle -> client"
);
for (const r of Object.values(results)) {
  if (r)
    console.log(
      `  ${r.name}: ${fmt(r.legs.toKernel, 2)} | ${fmt(r.legs.inKernel, 2)} | ${fmt(r.legs.fromKernel, 2)}`
    );
}
const { cold, pool, peer: kg, 'peer-nodelay': kgNd, unsandboxed } = results;
const ratio = (a, b) => (a && b ? fmt(a / b, 2) : 'n/a');
const verdict = ok => (ok ? 'met' : 'MISSED');
/** The goal "ours / peer <= bound": its text and whether a ratio meets it. */
const atMost = bound => ({
  text: `<= ${bound.toFixed(1)}`,
  isMet: x => x <= bound
});
if (kg) {
  console.log(
    '\n| ratio (ours / peer) | vs Kernel Gateway | vs Kernel Gateway + TCP_NODELAY | goal |'
  );
  console.log('| --- | --: | --: | --- |');
  const row = (label, a, key, goal) =>
    console.log(
      `| ${label} | ${ratio(a?.[key], kg[key])} | ${ratio(a?.[key], kgNd?.[key])} | ${goal.text} ${a ? verdict(goal.isMet(a[key] / kg[key])) : ''} |`
    );
  row('cold start (median)', cold, 'startMedian', atMost(1.0));
  row('cold start (p99)', cold, 'startP99', atMost(1.0));
  row('start from the pool (median)', pool, 'startMedian', atMost(0.2));
  row('start from the pool (p99)', pool, 'startP99', atMost(0.2));
  row('round trip (median)', cold, 'tripMedian', atMost(0.5));
  row('round trip (p99)', cold, 'tripP99', atMost(0.5));
  row('stream throughput', cold, 'linesPerS', {
    text: `>= 1.0, nothing lost${cold?.inOrder ? ' (all in order)' : ' (LOST LINES)'}`,
    isMet: x => x >= 1.0 && cold.inOrder
  });
}
if (cold && unsandboxed) {
  console.log(
    `\nprofile: the gateway's own start log says median ${fmt(cold.serverStartMedian, 0)} ms sandboxed, ${fmt(unsandboxed.serverStartMedian, 0)} ms unsandboxed;`
  );
  console.log(
    `sandbox share of the cold start ~ ${fmt(cold.startMedian - unsandboxed.startMedian, 0)} ms of ${fmt(cold.startMedian, 0)} ms (median to median).`
  );
}
process.exit(0);
