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
//  3. on MongoDB, where the time goes: the gateways reach the stand-in
//     through a TCP proxy that tallies the commands they send (each one
//     round trip), and the stand-in's own CPU time is read from /proc;
//     both per job of the drain
//
// Before each size the same gateways drain --warmup jobs unmeasured (the
// stand-in is a JVM: its first seconds are JIT compilation).
//
// Usage: node bench/scaleout.mjs [--jobs 300] [--rate 10] [--latency-jobs 100]
//          [--warmup 200] [--backends sqlite,mongodb] [--gateways 1,2,3]
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT,
  TRIVIAL_JOB,
  fmt,
  loadAverage,
  median,
  percentile
} from './lib.mjs';

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
    warmup: { type: 'string', default: '200' },
    backends: { type: 'string', default: 'sqlite,mongodb' },
    gateways: { type: 'string', default: '1,2,3' }
  }
});

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
    port,
    uri: `mongodb://127.0.0.1:${port}/bench`,
    /** CPU time the stand-in has used, in ms. */
    cpuMs: () => {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
        .split(') ')[1]
        .split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    },
    stop: async () => {
      child.stdin.end();
      await new Promise(r => child.once('exit', r));
    }
  };
}

/**
 * A TCP proxy in front of the stand-in that tallies the commands passing
 * through by name (the first key of each OP_MSG body): one round trip each.
 */
async function startCountingProxy(port) {
  const tally = new Map();
  const count = message => {
    let name = `opCode ${message.readInt32LE(12)}`;
    // OP_MSG: header (16), flags (4), section kind 0, then the BSON body:
    // its length (4), the first element's type (1) and name.
    if (message.readInt32LE(12) === 2013 && message[20] === 0) {
      name = message.toString('latin1', 26, message.indexOf(0, 26));
    }
    tally.set(name, (tally.get(name) ?? 0) + 1);
  };
  const server = createServer(client => {
    const upstream = connect(port, '127.0.0.1');
    let pending = Buffer.alloc(0);
    client.on('data', chunk => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        count(pending.subarray(0, pending.readInt32LE(0)));
        pending = pending.subarray(pending.readInt32LE(0));
      }
    });
    upstream.pipe(client);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client]
    ]) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    /** The tally since the last call, by command. */
    take: () => {
      const taken = new Map(tally);
      tally.clear();
      return taken;
    },
    close: () => {
      server.close();
      server.unref();
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
    await new Promise(r => setTimeout(r, 50));
}

/** One size: k gateways on a fresh database. */
async function measure(backend, k) {
  const dir = mkdtempSync(join(tmpdir(), 'jl-bench-scale-'));
  const mongo = backend === 'mongodb' ? await startMongo() : undefined;
  const proxy = mongo ? await startCountingProxy(mongo.port) : undefined;
  const target = mongo ? mongo.uri : join(dir, 'jaxlab.db');
  // The warm-up gateways' traffic goes through the proxy; the bench's own
  // does not.
  const gatewayTarget = proxy
    ? `mongodb://127.0.0.1:${proxy.port}/bench`
    : target;
  const store = await open(target);
  const jobs = Number(opts.jobs);
  const warmup = Number(opts.warmup);
  let completed = 0;
  /** Queues `count` jobs, then k fresh gateways on `at` drain them. */
  const drain = async (count, at) => {
    for (let i = 0; i < count; i++)
      await store.jobs.create(USERS[i % 3], TRIVIAL_JOB);
    const workers = Array.from({ length: k }, (_, i) =>
      startWorker(at, `gw-${i + 1}`)
    );
    await Promise.all(workers.map(w => w.ready));
    proxy?.take();
    const cpuBefore = mongo?.cpuMs();
    const t0 = performance.now();
    for (const w of workers) w.go();
    completed += count;
    await untilCompleted(store, completed);
    return {
      workers,
      seconds: (performance.now() - t0) / 1000,
      commands: proxy?.take(),
      standInCpuPerJob: mongo && (mongo.cpuMs() - cpuBefore) / count
    };
  };
  try {
    // Warm-up, unmeasured but for the commands it takes (through the
    // proxy): the stand-in's JIT compilation stays out of the figures (a
    // real MongoDB has none). The measured gateways connect directly.
    const warm =
      warmup > 0 ? await drain(warmup, gatewayTarget) : { workers: [] };
    await Promise.all(warm.workers.map(w => w.result()));
    const { workers, seconds, standInCpuPerJob } = await drain(jobs, target);

    // Latency: a steady stream of submissions while the gateways poll.
    const n = Number(opts['latency-jobs']);
    const ids = [];
    const interval = 1000 / Number(opts.rate);
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise(r => setTimeout(r, wait));
      ids.push((await store.jobs.create(USERS[i % 3], TRIVIAL_JOB)).id);
    }
    await untilCompleted(store, completed + n);
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
      waitP99: percentile(waits, 99),
      commands: warm.commands,
      countedJobs: warmup,
      standInCpuPerJob
    };
  } finally {
    await store.dispose();
    proxy?.close();
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
    `# ${cpus().length} CPUs (${cpus()[0].model}), load ${loadAverage()}; ${opts.warmup} jobs to warm up, ${opts.jobs} jobs drained, then ${opts['latency-jobs']} at ${opts.rate}/s; per-user cap ${CAP}`
  );
  console.log(
    '| store | gateways | jobs/min | store time per job, median / p99 (ms) | gateway CPU per job (ms) | submission -> RUNNING, median / p99 (ms) |'
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  const traffic = [];
  for (const backend of opts.backends.split(',')) {
    for (const k of opts.gateways.split(',').map(Number)) {
      const r = await measure(backend, k);
      console.log(
        `| ${backend} | ${k} | ${fmt(r.perMin, 0)} | ${fmt(r.costMedian)} / ${fmt(r.costP99)} | ${fmt(r.cpuPerJob)} | ${fmt(r.waitMedian)} / ${fmt(r.waitP99)} |`
      );
      if (r.commands) traffic.push(r);
    }
  }
  if (traffic.length) {
    const names = [...new Set(traffic.flatMap(r => [...r.commands.keys()]))]
      .filter(name =>
        traffic.some(r => r.commands.get(name) / r.countedJobs >= 0.01)
      )
      .sort();
    console.log(
      "\n# MongoDB: commands the gateways sent per job (round trips; counted over the warm-up drain), and the stand-in's CPU per job of the measured drain"
    );
    console.log(
      `| gateways | round trips per job | ${names.join(' | ')} | stand-in CPU per job (ms) |`
    );
    console.log(`| --- | --- | ${names.map(() => '---').join(' | ')} | --- |`);
    for (const r of traffic) {
      const total = [...r.commands.values()].reduce((a, b) => a + b, 0);
      const per = name => fmt((r.commands.get(name) ?? 0) / r.countedJobs, 2);
      console.log(
        `| ${r.k} | ${fmt(total / r.countedJobs, 2)} | ${names.map(per).join(' | ')} | ${fmt(r.standInCpuPerJob)} |`
      );
    }
  }
  console.log(`# load after: ${loadAverage()}`);
}

await main();
