// Issue 13's benchmark ("Experiments II: Measured"), in one run:
//
//  1. sweep overhead: a grid sweep of N trivial trials against the same N
//     runs submitted by hand (each submitted when the previous one ended,
//     as a script would), on one server and one gateway with one slot;
//     the goal is at most 1.1x the time.
//  2. leaderboard: a project of 10,000 completed runs ranked by a metric,
//     served by GET /api/projects/{id}/leaderboard (the best 100, and all
//     10,000); the peer is what a client does without it: page through
//     GET /api/jobs?projectId= (200 a page) and sort. Goal: < 100 ms.
//
// Usage: node bench/sweeps.mjs [--trials 20] [--runs 10000] [--reps 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '@jaxlab/store';
import { fmt, loadAverage, median, percentile, sleep } from './lib.mjs';
import {
  api,
  startGateway,
  startServer,
  waitForFinalJob
} from './lab-client.mjs';

const { values: opts } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    runs: { type: 'string', default: '10000' },
    reps: { type: 'string', default: '20' }
  }
});
const TRIALS = Number(opts.trials);
const RUNS = Number(opts.runs);
const REPS = Number(opts.reps);
const procs = [];
const dataDir = mkdtempSync(join(tmpdir(), 'jxl-bench-sweeps-'));

const TRIVIAL_PY = `def main(x=0):
    print(f"Final loss: {x * 0.5}")
`;

async function sweepOverhead(base) {
  const project = await api(base, 'POST', '/api/projects', {
    name: 'bench sweep',
    mainPy: TRIVIAL_PY
  });
  // One warm-up run: the first kernel start pays for imports once.
  const warm = await api(base, 'POST', '/api/jobs', {
    projectId: project.id,
    code: TRIVIAL_PY
  });
  await waitForFinalJob(base, warm.jobId, 50);

  let t0 = performance.now();
  for (let x = 0; x < TRIALS; x++) {
    const { jobId } = await api(base, 'POST', '/api/jobs', {
      projectId: project.id,
      code: TRIVIAL_PY,
      args: { x }
    });
    const job = await waitForFinalJob(base, jobId, 50);
    if (job.status !== 'COMPLETED') throw new Error(`run ${x}: ${job.status}`);
  }
  const byHandMs = performance.now() - t0;

  t0 = performance.now();
  const sweep = await api(base, 'POST', '/api/sweeps', {
    projectId: project.id,
    code: TRIVIAL_PY,
    space: {
      kind: 'grid',
      runCap: TRIALS,
      parameters: { x: { values: Array.from({ length: TRIALS }, (_, i) => i) } }
    },
    target: { metric: 'loss', direction: 'min' },
    maxConcurrent: 1
  });
  let done;
  for (;;) {
    done = await api(base, 'GET', `/api/sweeps/${sweep.id}`);
    if (done.status !== 'RUNNING') break;
    await sleep(50);
  }
  const sweepMs = performance.now() - t0;
  const completed = done.trials.filter(t => t.state === 'COMPLETED').length;
  if (completed !== TRIALS)
    throw new Error(`sweep: ${completed} of ${TRIALS} completed`);
  return { byHandMs, sweepMs };
}

async function seedRuns(owner, projectId) {
  const store = await openStore({ dataDir });
  try {
    for (let i = 0; i < RUNS; i++) {
      const job = await store.jobs.create(owner, {
        projectId,
        code: TRIVIAL_PY,
        requirements: '',
        entrypoint: 'main',
        args: { x: i % 50, opt: i % 2 ? 'adam' : 'sgd' },
        accelerator: 'cpu',
        tags: i % 10 ? [] : ['nightly']
      });
      await store.queue.claimNext({
        hostId: 'seed',
        capacity: ['cpu'].map(accelerator => ({
          accelerator,
          maxDevices: 256
        })),
        leaseMs: 60_000
      });
      await store.events.append(
        job.id,
        [
          { type: 'job:status', status: 'RUNNING' },
          {
            type: 'job:metrics',
            metrics: {
              compilationTimeMs: 1,
              executionTimeMs: 2,
              values: { loss: ((i * 7919) % 10007) / 10007, accuracy: 0.5 },
              device: { platform: 'cpu', count: 1 }
            }
          },
          { type: 'job:status', status: 'COMPLETED' }
        ],
        { hostId: 'seed' }
      );
    }
  } finally {
    await store.dispose();
  }
}

async function timed(fn, reps) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

async function leaderboard(base) {
  const me = await api(base, 'GET', '/api/me').catch(() => null);
  const project = await api(base, 'POST', '/api/projects', {
    name: 'bench leaderboard',
    mainPy: TRIVIAL_PY
  });
  await seedRuns(me?.id ?? project.owner, project.id);
  const path = `/api/projects/${project.id}/leaderboard?metric=loss&direction=min`;
  const top = await api(base, 'GET', `${path}&limit=100`);
  if (top.total !== RUNS) throw new Error(`ranked ${top.total} of ${RUNS}`);
  const top100 = await timed(() => api(base, 'GET', `${path}&limit=100`), REPS);
  const all = await timed(() => api(base, 'GET', `${path}&limit=10000`), REPS);
  const filtered = await timed(
    () => api(base, 'GET', `${path}&limit=100&tag=nightly&arg=opt=adam`),
    REPS
  );
  const peer = await timed(
    async () => {
      const items = [];
      let cursor;
      do {
        const page = await api(
          base,
          'GET',
          `/api/jobs?projectId=${project.id}&status=COMPLETED&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      items.sort((a, b) => a.metrics.values.loss - b.metrics.values.loss);
      if (items[0].id !== top.rows[0].job.id) throw new Error('peer disagrees');
    },
    Math.max(3, Math.floor(REPS / 4))
  );
  return { top100, all, filtered, peer };
}

try {
  console.log(`# bench/sweeps.mjs, load average ${loadAverage()}`);
  const { base } = await startServer(dataDir, procs);
  await startGateway(dataDir, procs);

  const gateway = procs[procs.length - 1];
  const { byHandMs, sweepMs } = TRIALS
    ? await sweepOverhead(base)
    : { byHandMs: NaN, sweepMs: NaN };
  // The seeded runs are completed through the store; no gateway may claim them.
  await gateway.stop();
  procs.pop();
  console.log(
    `\n## sweep overhead: ${TRIALS} trivial trials, one gateway slot (load ${loadAverage()})`
  );
  console.log(
    `runs submitted by hand, one after another: ${fmt(byHandMs / 1000, 2)} s (${fmt(byHandMs / TRIALS)} ms a run)`
  );
  console.log(
    `grid sweep of the same runs:               ${fmt(sweepMs / 1000, 2)} s (${fmt(sweepMs / TRIALS)} ms a trial)`
  );
  console.log(
    `ratio sweep / by hand: ${fmt(sweepMs / byHandMs, 3)}x (goal <= 1.1x)`
  );

  const { top100, all, filtered, peer } = await leaderboard(base);
  console.log(
    `\n## leaderboard of ${RUNS} runs over HTTP, median (p90) of ${REPS} (load ${loadAverage()})`
  );
  const row = (label, t) =>
    console.log(
      `${label}: ${fmt(median(t))} ms (p90 ${fmt(percentile(t, 90))} ms)`
    );
  row('GET leaderboard, best 100          ', top100);
  row('GET leaderboard, filtered (tag+arg)', filtered);
  row('GET leaderboard, all 10,000 rows   ', all);
  row('peer: page GET /api/jobs and sort  ', peer);
  console.log(
    `ratio peer / leaderboard (best 100): ${fmt(median(peer) / median(top100), 1)}x (goal: leaderboard < 100 ms)`
  );
} finally {
  for (const p of procs.reverse()) await p.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
