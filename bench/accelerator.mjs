// Issue 10's measured figures, in one run, on this machine (JAX on the CPU):
//
//  1. warm start: POST /api/jobs until an SSE client of the job's events has
//     the first line the program's main() prints, with the gateway's warm
//     pool (a kernel per slot with Python and JAX imported) — against plain
//     `python main.py` until its first line, same code, same machine (goal:
//     <= 1.0x). A gateway without the pool (--no-warm-pool) as a reference.
//  2. compile cache: the spirals sample (server/src/samples/spirals-mlp) run
//     twice by one user in one project; the second run's compilationTimeMs
//     over the first's (goal: <= 0.2x), with what the metrics say it saved.
//
// Usage: node bench/accelerator.mjs [--runs 7] [--pairs 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PY, ROOT, fmt, loadAverage, median, sleep } from './lib.mjs';
import {
  AUTH,
  follow,
  startGateway,
  startServer,
  submit
} from './lab-client.mjs';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    pairs: { type: 'string', default: '3' }
  }
});
const RUNS = Number(opts.runs);
const PAIRS = Number(opts.pairs);

// The user's program: imports JAX, prints its first line at once, then works.
const FIRST_LINE_PY = `import jax
import jax.numpy as jnp


def main():
    print("first line", flush=True)
    print(float(jnp.arange(8.0).sum()))


if __name__ == "__main__":
    main()
`;
const SPIRALS_PY = readFileSync(
  join(ROOT, 'server/src/samples/spirals-mlp/main.py'),
  'utf8'
);

const procs = [];

/** ms from spawning `python main.py` until its first stdout line. */
function plainFirstLine(dir) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(PY, ['main.py'], { cwd: dir });
    let out = '';
    let firstMs;
    child.stdout.on('data', chunk => {
      out += chunk;
      if (firstMs === undefined && out.includes('\n')) {
        firstMs = performance.now() - t0;
      }
    });
    child.on('error', reject);
    child.on('close', code =>
      code === 0 && firstMs !== undefined
        ? resolve(firstMs)
        : reject(new Error(`python main.py exited ${code}: ${out}`))
    );
  });
}

/** ms from POST /api/jobs until the SSE client has the program's first line. */
async function jobFirstLine(base) {
  const t0 = performance.now();
  const { jobId } = await submit(base, { code: FIRST_LINE_PY });
  let firstMs;
  const { statuses } = await follow(base, jobId, line => {
    if (firstMs === undefined && line === 'first line') {
      firstMs = performance.now() - t0;
    }
  });
  const end = statuses.at(-1);
  if (end?.status !== 'COMPLETED' || firstMs === undefined) {
    throw new Error(`job ${jobId} ended ${JSON.stringify(end)}`);
  }
  return { jobId, firstMs };
}

async function startPhase(label, gatewayArgs, runs) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jxa-'));
  const gateway = await startGateway(dataDir, procs, gatewayArgs);
  const { base, proc: server } = await startServer(dataDir, procs);
  const isPooled = !gatewayArgs.includes('--no-warm-pool');
  // Each run starts once the pool holds a kernel again (the gateway logs
  // each one it makes ready); without a pool, after a pause.
  let ready = 0;
  const settle = async () => {
    if (!isPooled) return sleep(3000);
    ready++;
    for (let t = 0; t < 600; t++) {
      const made = gateway.proc.log().match(/warm kernel \S+ ready/g) ?? [];
      if (made.length >= ready) return;
      await sleep(100);
    }
  };
  await settle();
  const before = loadAverage();
  const samples = [];
  let warm = 0;
  await jobFirstLine(base); // warm-up: page cache, the server's first request
  await settle();
  for (let i = 0; i < runs; i++) {
    const { jobId, firstMs } = await jobFirstLine(base);
    samples.push(firstMs);
    if (gateway.proc.log().includes(`job ${jobId}: warm kernel`)) warm++;
    await settle();
  }
  await server.stop();
  await gateway.proc.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { label, samples, warm, load: `${before} -> ${loadAverage()}` };
}

async function plainPhase(runs) {
  const dir = mkdtempSync(join(tmpdir(), 'jxa-py-'));
  writeFileSync(join(dir, 'main.py'), FIRST_LINE_PY);
  const before = loadAverage();
  await plainFirstLine(dir); // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await plainFirstLine(dir));
  rmSync(dir, { recursive: true, force: true });
  return { samples, load: `${before} -> ${loadAverage()}` };
}

async function cachePhase(pairs) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jxa-cache-'));
  const gateway = await startGateway(dataDir, procs);
  const { base, proc: server } = await startServer(dataDir, procs);
  const before = loadAverage();
  const rows = [];
  for (let i = 0; i < pairs; i++) {
    // A fresh project each pair: its cache starts empty.
    const project = await (
      await fetch(`${base}/api/projects`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `spirals ${i}`, mainPy: SPIRALS_PY })
      })
    ).json();
    const run = async () => {
      const { jobId } = await submit(base, {
        code: SPIRALS_PY,
        projectId: project.id
      });
      const { statuses, metrics } = await follow(base, jobId);
      if (statuses.at(-1)?.status !== 'COMPLETED')
        throw new Error(`spirals ended ${JSON.stringify(statuses.at(-1))}`);
      return metrics;
    };
    const first = await run();
    const second = await run();
    rows.push({ first, second });
  }
  await server.stop();
  await gateway.proc.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { rows, load: `${before} -> ${loadAverage()}` };
}

try {
  console.log(
    `# ${new Date().toISOString()} load average ${loadAverage()}; runs ${RUNS}, pairs ${PAIRS}`
  );
  const plain = await plainPhase(RUNS);
  const warm = await startPhase('warm pool (default)', [], RUNS);
  const cold = await startPhase(
    'no warm pool (--no-warm-pool)',
    ['--no-warm-pool'],
    RUNS
  );
  const plainMs = median(plain.samples);
  console.log(
    '\n## Start: submit -> first line of the program, against `python main.py` -> its first line\n'
  );
  console.log(
    '| how | median ms | min ms | max ms | ratio to python main.py (median) | load avg |'
  );
  console.log('| --- | --: | --: | --: | --: | --- |');
  console.log(
    `| plain \`python main.py\` (${RUNS} runs) | ${fmt(plainMs)} | ${fmt(Math.min(...plain.samples))} | ${fmt(Math.max(...plain.samples))} | 1.00 | ${plain.load} |`
  );
  for (const phase of [warm, cold]) {
    const m = median(phase.samples);
    console.log(
      `| job, ${phase.label} (${RUNS} runs, ${phase.warm} from the pool) | ${fmt(m)} | ${fmt(Math.min(...phase.samples))} | ${fmt(Math.max(...phase.samples))} | ${(m / plainMs).toFixed(2)} | ${phase.load} |`
    );
  }
  console.log(
    `\ngoal: warm-pool job start <= 1.0x python main.py: ${median(warm.samples) / plainMs <= 1 ? 'met' : 'NOT met'}`
  );

  const cache = await cachePhase(PAIRS);
  console.log('\n## Compile cache: the spirals sample twice in one project\n');
  console.log(
    '| pair | first run compile ms (misses) | second run compile ms (hits) | second / first | saved (metrics) ms |'
  );
  console.log('| --: | --: | --: | --: | --: |');
  const ratios = [];
  cache.rows.forEach(({ first, second }, i) => {
    const ratio = second.compilationTimeMs / first.compilationTimeMs;
    ratios.push(ratio);
    console.log(
      `| ${i + 1} | ${fmt(first.compilationTimeMs)} (${first.compileCache?.misses ?? '?'}) | ${fmt(second.compilationTimeMs)} (${second.compileCache?.hits ?? '?'}) | ${ratio.toFixed(2)} | ${fmt(second.compileCache?.savedMs ?? NaN)} |`
    );
  });
  console.log(
    `\nmedian second/first ${median(ratios).toFixed(2)} (load ${cache.load}); goal <= 0.2x: ${median(ratios) <= 0.2 ? 'met' : 'NOT met'}`
  );
} finally {
  for (const p of procs) await p.stop();
}
