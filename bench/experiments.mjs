// Issue 12's benchmark ("Experiments I: Measured"), in one run:
//
//  1. ingest: the cost of jaxlab.log() in a tight loop against the same loop
//     without logging and against printing a `step N: loss X` line per step
//     (the peer: what programs do without an API), measured in the lab's
//     Python with the harness's StepLogger doing all its work (conversion,
//     batching, JSON of each message); then 100,000 log() calls of a real
//     job through server + gateway, every point counted in the store.
//  2. chart data: a 1,000,000-point series served downsampled to 1,000
//     buckets by GET /api/jobs/{id}/series, against the baseline of a row
//     per point (MLflow's metrics table layout) in the same SQLite: reading
//     all points (what a metric-history API answers) and bucketing in SQL.
//  3. rendering: 5 overlaid series of 100,000 points in headless Chromium,
//     uPlot (the lab's charts) against Chart.js with its decimation plugin,
//     time from creating the chart to its first paint.
//
// Usage: node bench/experiments.mjs [--calls 100000] [--points 1000000] [--reps 20] [--render-reps 5]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '@jaxlab/store';
import { PY, fmt, loadAverage, median, percentile, sleep } from './lib.mjs';
import { measureChartRendering } from './chart-rendering.mjs';
import {
  api,
  startGateway,
  startServer,
  waitForFinalJob
} from './lab-client.mjs';

const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    points: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '20' },
    'render-reps': { type: 'string', default: '5' }
  }
});
const CALLS = Number(opts.calls);
const POINTS = Number(opts.points);
const REPS = Number(opts.reps);
const RENDER_REPS = Number(opts['render-reps']);
const procs = [];
const dataDir = mkdtempSync(join(tmpdir(), 'jxl-bench-exp-'));

// ---------------------------------------------------------------- 1. ingest
const LOOP_PY = String.raw`
import json, sys, time, statistics
from jaxlab_harness.capture import FdCapture
from jaxlab_harness.step_metrics import StepLogger, active
import jaxlab

n, reps = int(sys.argv[1]), int(sys.argv[2])
published = [0]
def publish(doc):  # what the kernel does with a batch, less the ZeroMQ send
    json.dumps(doc)
    published[0] += sum(len(p["steps"]) for p in doc["series"].values())

def plain():
    x = 0.0
    for i in range(n):
        x += i * 1e-9
    return x

def with_log():
    x = 0.0
    for i in range(n):
        x += i * 1e-9
        jaxlab.log(step=i, loss=x)
    return x

def with_print():
    # As in a kernel: stdout is a pipe read by the harness's capture thread.
    x = 0.0
    with FdCapture(lambda name, text: None):
        for i in range(n):
            x += i * 1e-9
            print(f"step {i}: loss {x:.6f}")
    return x

def timed(f, logger=None):
    t0 = time.perf_counter()
    if logger:
        with active(logger):
            f()
        logger.close()  # every point converted and published
    else:
        f()
    return time.perf_counter() - t0

base, log_s, print_s = [], [], []
for _ in range(reps):
    base.append(timed(plain))
    published[0] = 0
    log_s.append(timed(with_log, StepLogger(publish)))
    assert published[0] == n, published[0]
    print_s.append(timed(with_print))
print(json.dumps({"base": statistics.median(base), "log": statistics.median(log_s),
                  "print": statistics.median(print_s), "published": published[0]}))
`;

// A jitted step whose loss is a JAX array: logging it must not wait for the
// device more than float(loss) would (it waits less: values are fetched in
// batches by the flusher thread).
const JAX_PY = String.raw`
import json, sys, time, statistics
import jax, jax.numpy as jnp
from jaxlab_harness.step_metrics import StepLogger, active
import jaxlab

n, reps = int(sys.argv[1]), int(sys.argv[2])
step = jax.jit(lambda w: (w * 0.999, jnp.sum(w * w)))
w0 = jnp.ones((256,))

def run(mode):
    w = w0
    for i in range(n):
        w, loss = step(w)
        if mode == "log":
            jaxlab.log(step=i, loss=loss)
        elif mode == "float":
            float(loss)
    w.block_until_ready()

def timed(mode):
    logger = StepLogger(lambda doc: json.dumps(doc)) if mode == "log" else None
    t0 = time.perf_counter()
    if logger:
        with active(logger):
            run(mode)
        logger.close()
    else:
        run(mode)
    return time.perf_counter() - t0

run("none")  # compile
out = {m: statistics.median([timed(m) for _ in range(reps)]) for m in ("none", "log", "float")}
print(json.dumps(out))
`;

const JOB_PY = `from jaxlab import log


def main(n=100000):
    for i in range(n):
        log(step=i, loss=1.0 / (i + 1), total_steps=n)
`;

function ingestJax() {
  const out = execFileSync(PY, ['-I', '-c', JAX_PY, '20000', '5'], {
    encoding: 'utf8',
    env: { ...process.env, JAX_PLATFORMS: 'cpu' }
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function ingestLoop() {
  const out = execFileSync(PY, ['-I', '-c', LOOP_PY, String(CALLS), '7'], {
    encoding: 'utf8'
  });
  return JSON.parse(out.trim().split('\n').pop());
}

async function ingestJob(base) {
  const { jobId } = await api(base, 'POST', '/api/jobs', {
    code: JOB_PY,
    args: { n: CALLS }
  });
  const t0 = performance.now();
  const job = await waitForFinalJob(base, jobId, 100);
  const wallMs = performance.now() - t0;
  const steps = [];
  for (let from = 0; from < CALLS; from += 10000) {
    const data = await api(
      base,
      'GET',
      `/api/jobs/${jobId}/series?buckets=10000&fromStep=${from}&toStep=${from + 9999}`
    );
    steps.push(...(data.series[0]?.step ?? []));
  }
  const inOrder = steps.every((s, i) => s === i);
  return { job, wallMs, stored: steps.length, inOrder };
}

// ------------------------------------------------------------ 2. chart data
async function chartData(base) {
  // A job with a 1,000,000-point series, written through the store as the
  // gateway writes it (batches of 10,000).
  const { jobId } = await api(base, 'POST', '/api/jobs', {
    code: 'def main():\n    pass\n',
    accelerator: 'tpu'
  });
  const store = await openStore({ dataDir });
  for (
    let i = 0;
    i < 100 && (await store.jobs.get(jobId)).status === 'QUEUED';
    i++
  )
    await sleep(100);
  const steps = Float64Array.from({ length: POINTS }, (_, i) => i);
  const value = i =>
    Math.exp(-i / 2e5) + 0.05 * Math.sin(i / 37) + (i % 9973 === 0 ? 3 : 0);
  const t0 = performance.now();
  for (let from = 0; from < POINTS; from += 10000) {
    const s = Array.from(steps.subarray(from, from + 10000));
    await store.series.append(jobId, {
      loss: { steps: s, values: s.map(value), times: s.map(t => 1.7e12 + t) }
    });
  }
  const writeMs = performance.now() - t0;
  const db = new Database(join(dataDir, 'jaxlab.db'), { readonly: true });
  const ourBytes = db
    .prepare(
      'SELECT SUM(length(points)) AS b FROM job_series_chunks WHERE jobId = ?'
    )
    .get(jobId).b;
  db.close();
  await store.dispose();

  const serve = [];
  let buckets = 0;
  for (let i = 0; i < REPS + 2; i++) {
    const t = performance.now();
    const data = await api(
      base,
      'GET',
      `/api/jobs/${jobId}/series?buckets=1000`
    );
    if (i >= 2) serve.push(performance.now() - t);
    buckets = data.series[0].step.length;
  }

  // Baseline: a row per point, MLflow's metrics table (key, value,
  // timestamp, run, step) with its primary key, in its own SQLite file.
  const peerPath = join(dataDir, 'row-per-point.db');
  const peer = new Database(peerPath);
  peer.pragma('journal_mode = WAL');
  peer.exec(`CREATE TABLE metrics (key TEXT NOT NULL, value REAL NOT NULL,
    timestamp INTEGER NOT NULL, run_uuid TEXT NOT NULL, step INTEGER NOT NULL,
    is_nan INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan))`);
  const insert = peer.prepare(
    'INSERT INTO metrics (key, value, timestamp, run_uuid, step) VALUES (?, ?, ?, ?, ?)'
  );
  peer.transaction(() => {
    for (let i = 0; i < POINTS; i++)
      insert.run('loss', value(i), 1.7e12 + i, 'run-1', i);
  })();
  const peerBytes =
    peer.pragma('page_count', { simple: true }) *
    peer.pragma('page_size', { simple: true });
  const all = peer.prepare(
    "SELECT step, timestamp, value FROM metrics WHERE run_uuid = 'run-1' AND key = 'loss' ORDER BY step"
  );
  const bucketed =
    peer.prepare(`SELECT MAX(step) AS step, MIN(value) AS min, MAX(value) AS max
    FROM metrics WHERE run_uuid = 'run-1' AND key = 'loss' GROUP BY step * 1000 / ${POINTS} ORDER BY 1`);
  const peerAll = [];
  const peerSql = [];
  for (let i = 0; i < Math.min(REPS, 7) + 1; i++) {
    let t = performance.now();
    JSON.stringify(all.all());
    if (i) peerAll.push(performance.now() - t);
    t = performance.now();
    JSON.stringify(bucketed.all());
    if (i) peerSql.push(performance.now() - t);
  }
  peer.close();
  return { writeMs, serve, buckets, ourBytes, peerBytes, peerAll, peerSql };
}

try {
  console.log(
    `## ingest: ${CALLS.toLocaleString('en-US')} jaxlab.log() calls (load ${loadAverage()})`
  );
  const loop = ingestLoop();
  const perCall = s => ((s - loop.base) / CALLS) * 1e6;
  console.log('');
  console.log(
    '| per step, in the loop (median of 7) | µs per call | ratio to jaxlab.log | goal |'
  );
  console.log('| --- | --: | --: | --- |');
  console.log(
    `| jaxlab.log(step=i, loss=x), all batches converted and published | ${fmt(perCall(loop.log), 2)} | 1.00 | < 5 µs ${perCall(loop.log) < 5 ? 'met' : 'NOT met'} |`
  );
  console.log(
    `| print(f"step {i}: loss {x}") to the kernel's captured stdout (peer: the line-parsing path) | ${fmt(perCall(loop.print), 2)} | ${fmt(perCall(loop.print) / perCall(loop.log), 2)} | |`
  );
  console.log(
    `| the loop alone: ${fmt((loop.base / CALLS) * 1e6, 3)} µs per step | | | |`
  );

  const jaxRun = ingestJax();
  const perStep = s => (s / 20000) * 1e6;
  console.log('');
  console.log(
    '| 20,000 steps of a jitted update on the CPU, loss a JAX array (median of 5) | µs per step | ratio to float(loss) |'
  );
  console.log('| --- | --: | --: |');
  console.log(
    `| no logging | ${fmt(perStep(jaxRun.none), 1)} | ${fmt(jaxRun.none / jaxRun.float, 2)} |`
  );
  console.log(
    `| jaxlab.log(step=i, loss=loss): copied to the host at once (CPU backend) | ${fmt(perStep(jaxRun.log), 1)} | ${fmt(jaxRun.log / jaxRun.float, 2)} |`
  );
  console.log(
    `| float(loss) every step (waits for the device each time) | ${fmt(perStep(jaxRun.float), 1)} | 1.00 |`
  );

  const { base } = await startServer(dataDir, procs);
  await startGateway(dataDir, procs);
  const job = await ingestJob(base);
  console.log('');
  console.log(
    `a job of ${CALLS.toLocaleString('en-US')} log() calls through server + gateway: ${job.job.status}, ${job.stored.toLocaleString('en-US')} of ${CALLS.toLocaleString('en-US')} points in the store, ${job.inOrder ? 'in order' : 'OUT OF ORDER'}; submission to the end ${fmt(job.wallMs / 1000, 2)} s (kernel start included), the call ${fmt(job.job.metrics.executionTimeMs, 0)} ms; summary ${JSON.stringify(job.job.series.loss)} (load ${loadAverage()})`
  );

  console.log('');
  console.log(
    `## chart data: a ${POINTS.toLocaleString('en-US')}-point series cut into 1,000 buckets (load ${loadAverage()})`
  );
  const chart = await chartData(base);
  console.log('');
  console.log(
    '| serving the chart of 1,000,000 points | median ms | p99 ms | stored bytes per point | ratio (ours / baseline) | goal |'
  );
  console.log('| --- | --: | --: | --: | --: | --- |');
  const ours = median(chart.serve);
  console.log(
    `| ours: GET /api/jobs/{id}/series?buckets=1000 (${chart.buckets} buckets, min/max/last, HTTP + JSON) | ${fmt(ours, 1)} | ${fmt(percentile(chart.serve, 99), 1)} | ${fmt(chart.ourBytes / POINTS, 1)} | 1.00 | < 50 ms ${ours < 50 ? 'met' : 'NOT met'} |`
  );
  console.log(
    `| baseline: a row per point, all points read (metric history) | ${fmt(median(chart.peerAll), 1)} | ${fmt(percentile(chart.peerAll, 99), 1)} | ${fmt(chart.peerBytes / POINTS, 1)} | ${fmt(ours / median(chart.peerAll), 3)} | |`
  );
  console.log(
    `| baseline: a row per point, bucketed in SQL (GROUP BY) | ${fmt(median(chart.peerSql), 1)} | ${fmt(percentile(chart.peerSql, 99), 1)} | ${fmt(chart.peerBytes / POINTS, 1)} | ${fmt(ours / median(chart.peerSql), 3)} | |`
  );
  console.log(
    `\nwriting the 1,000,000 points through the store (100 appends of 10,000): ${fmt(chart.writeMs, 0)} ms`
  );

  console.log('');
  console.log(
    `## rendering: 5 overlaid series of 100,000 points in headless Chromium (load ${loadAverage()})`
  );
  const render = await measureChartRendering(RENDER_REPS);
  console.log('');
  console.log(
    '| library | first paint median ms | p99 ms | ratio (uPlot / peer) | goal |'
  );
  console.log('| --- | --: | --: | --: | --- |');
  const u = median(render.uplot);
  console.log(
    `| uPlot 1.6 (the lab's charts) | ${fmt(u, 1)} | ${fmt(percentile(render.uplot, 99), 1)} | 1.00 | < 500 ms ${u < 500 ? 'met' : 'NOT met'} |`
  );
  console.log(
    `| Chart.js 4 with min-max decimation (peer) | ${fmt(median(render.chartjs), 1)} | ${fmt(percentile(render.chartjs, 99), 1)} | ${fmt(u / median(render.chartjs), 3)} | |`
  );
  console.log(`\n(load ${loadAverage()})`);
} finally {
  for (const p of procs) await p.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
