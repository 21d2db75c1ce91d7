// Issue 17's benchmark: what coordinating jobs through the store costs, with
// one, two and three gateway processes racing for the same queue, on SQLite
// (one file, one host) and on MongoDB (mongo-java-server over the wire,
// oplog on; the jar the store's tests build).
//
// Each "gateway" is a child process doing exactly what a JobRunner does to
// the store for one trivial job, and nothing else (no kernel): claim it
// (fair order, per-user cap 4), renew its lease once, append RUNNING and one
// log line, append COMPLETED; host heartbeats every 5 s; an idle poll every
// 5 ms. So the figures are the coordination cost alone: the CPU of the
// machine, not the queue, limits real jobs (a sandboxed kernel start costs
// ~0.5-1 s of CPU; see docs/benchmarks.md).
//
//  1. throughput: 300 queued jobs of 3 users, drained by k gateways:
//     jobs/min, and per job the gateway's wall time in store calls
//     (median, p99) and its CPU time (total CPU of the gateways / jobs)
//  2. latency: jobs submitted at 10/s (100 of them) while k gateways run:
//     submission -> RUNNING (the RUNNING event's time - createdAt), median
//     and p99
//
// Usage: node bench/scaleout.mjs [--jobs 300] [--rate 10] [--latency-jobs 100]
//          [--backends sqlite,mongodb] [--gateways 1,2,3]
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, fmt, loadAverage, median, percentile } from './lib.mjs';

const STORE = `${ROOT}store/lib/index.js`;
const JAR = `${ROOT}store/test/mongo-java-server/target/mongo-standin.jar`;
const USERS = ['alice', 'bob', 'carol'];
const CAP = 4;

const { values: opts } = parseArgs({
  options: {
    worker: { type: 'string' },
    jobs: { type: 'string', default: '300' },
    rate: { type: 'string', default: '10' },
    'latency-jobs': { type: 'string', default: '100' },
    backends: { type: 'string', default: 'sqlite,mongodb' },
    gateways: { type: 'string', default: '1,2,3' }
  }
});

const JOB = {
  projectId: null,
  code: 'def main():\n    pass\n',
  requirements: '',
  entrypoint: 'main',
  args: {},
  accelerator: 'cpu'
};

async function open(target) {
  const { openStore } = await import(STORE);
  return target.startsWith('mongodb://')
    ? openStore({ mongodb: { uri: target } })
    : openStore({ sqlite: { path: target } });
}

/** A gateway's store traffic for trivial jobs, until the parent says stop. */
async function worker(target, hostId) {
  const store = await open(target);
  const leaseMs = 10_000;
  const costs = [];
  let stopping = false;
  let go;
  const started = new Promise(r => (go = r));
  process.on('message', m => {
    if (m === 'go') go();
    if (m === 'stop') stopping = true;
  });
  const heartbeat = () =>
    store.hosts.upsert({
      hostId,
      gatewayVersion: 'bench',
      accelerators: [{ kind: 'cpu', count: 1 }],
      maxConcurrentJobs: 1,
      runningJobs: 0,
      lastSeenAt: new Date().toISOString()
    });
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 5000);
  process.send({ ready: true });
  await started;
  const cpuStart = process.cpuUsage();
  while (!stopping) {
    const started = performance.now();
    const job = await store.queue.claimNext({
      hostId,
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs,
      maxJobsPerOwner: CAP
    });
    if (!job) {
      await new Promise(r => setTimeout(r, 5));
      continue;
    }
    await store.queue.renewLease(job.id, hostId, leaseMs);
    await store.events.append(
      job.id,
      [
        { type: 'job:status', status: 'RUNNING' },
        { type: 'job:log', stream: 'stdout', text: 'done\n' }
      ],
      { hostId }
    );
    await store.events.append(
      job.id,
      [{ type: 'job:status', status: 'COMPLETED' }],
      { hostId }
    );
    costs.push(performance.now() - started);
  }
  clearInterval(beat);
  const cpu = process.cpuUsage(cpuStart);
  process.send({ costs, cpuMs: (cpu.user + cpu.system) / 1000 });
  await store.dispose();
  process.exit(0);
}

function startWorker(target, hostId) {
  const child = fork(
    new URL(import.meta.url).pathname,
    ['--worker', `${target}\n${hostId}`],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc']
    }
  );
  const ready = new Promise(r => child.once('message', r));
  const go = () => child.send('go');
  const result = () =>
    new Promise(r => {
      child.once('message', r);
      child.send('stop');
    });
  return { ready, go, result };
}

async function startMongo() {
  if (!existsSync(JAR))
    throw new Error(
      `${JAR} is missing: run the store's tests once (npx vitest run --project store) to build it`
    );
  const child = spawn('java', ['-Xmx512m', '-jar', JAR, '0'], {
    stdio: ['pipe', 'pipe', 'inherit']
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', d => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', code =>
      reject(new Error(`mongo-java-server exited ${code}`))
    );
  });
  return {
    uri: `mongodb://127.0.0.1:${port}/bench`,
    stop: async () => {
      child.stdin.end();
      await new Promise(r => child.once('exit', r));
    }
  };
}

async function countCompleted(store) {
  return (await store.jobs.countByStatus())
    .filter(c => c.status === 'COMPLETED')
    .reduce((n, c) => n + c.count, 0);
}

async function untilCompleted(store, n) {
  while ((await countCompleted(store)) < n)
    await new Promise(r => setTimeout(r, 20));
}

/** One size: k gateways on a fresh database. */
async function measure(backend, k) {
  const dir = mkdtempSync(join(tmpdir(), 'jl-bench-scale-'));
  const mongo = backend === 'mongodb' ? await startMongo() : undefined;
  const target = mongo ? mongo.uri : join(dir, 'jaxlab.db');
  const store = await open(target);
  const jobs = Number(opts.jobs);
  try {
    for (let i = 0; i < jobs; i++) await store.jobs.create(USERS[i % 3], JOB);
    const workers = Array.from({ length: k }, (_, i) =>
      startWorker(target, `gw-${i + 1}`)
    );
    await Promise.all(workers.map(w => w.ready));
    const t0 = performance.now();
    for (const w of workers) w.go();
    await untilCompleted(store, jobs);
    const seconds = (performance.now() - t0) / 1000;

    // Latency: a steady stream of submissions while the gateways poll.
    const n = Number(opts['latency-jobs']);
    const ids = [];
    const interval = 1000 / Number(opts.rate);
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
      ids.push((await store.jobs.create(USERS[i % 3], JOB)).id);
    }
    await untilCompleted(store, jobs + n);
    const results = await Promise.all(workers.map(w => w.result()));
    const waits = [];
    for (const id of ids) {
      const job = await store.jobs.get(id);
      const running = (await store.events.read(id, 0, 10)).find(
        e => e.status === 'RUNNING'
      );
      waits.push(Date.parse(running.time) - Date.parse(job.createdAt));
    }
    const costs = results.flatMap(r => r.costs);
    const cpuMs = results.reduce((s, r) => s + r.cpuMs, 0);
    return {
      backend,
      k,
      perMin: (jobs / seconds) * 60,
      costMedian: median(costs),
      costP99: percentile(costs, 99),
      cpuPerJob: cpuMs / (jobs + n),
      waitMedian: median(waits),
      waitP99: percentile(waits, 99)
    };
  } finally {
    await store.dispose();
    await mongo?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (opts.worker) {
    const [target, hostId] = opts.worker.split('\n');
    return worker(target, hostId);
  }
  console.log(
    `# ${cpus().length} CPUs (${cpus()[0].model}), load ${loadAverage()}; ${opts.jobs} jobs drained, then ${opts['latency-jobs']} at ${opts.rate}/s; per-user cap ${CAP}`
  );
  console.log(
    '| store | gateways | jobs/min | store time per job, median / p99 (ms) | gateway CPU per job (ms) | submission -> RUNNING, median / p99 (ms) |'
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const backend of opts.backends.split(',')) {
    for (const k of opts.gateways.split(',').map(Number)) {
      const r = await measure(backend, k);
      console.log(
        `| ${backend} | ${k} | ${fmt(r.perMin, 0)} | ${fmt(r.costMedian)} / ${fmt(r.costP99)} | ${fmt(r.cpuPerJob)} | ${fmt(r.waitMedian)} / ${fmt(r.waitP99)} |`
      );
    }
  }
  console.log(`# load after: ${loadAverage()}`);
}

await main();
