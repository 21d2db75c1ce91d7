// The device check's driver (bench/device-check.sh runs it, bundled with
// esbuild, on a machine with no network): the gateway's own JobRunner,
// KernelManager, bubblewrap launcher, device detection, probe, slots and
// compile cache, on an embedded SQLite store, run the matrix-multiply and
// spirals samples as jobs in the sandbox with the accelerator passed
// through; the same programs run with plain `python main.py` for the
// sandbox's overhead. Writes the evidence as JSON and prints one Markdown
// line for docs/benchmarks.md.
//
// Usage: node check.mjs --venv DIR --samples DIR --out DIR
//          [--accelerator gpu|tpu|cpu] [--size 8192] [--repeats 100]
//          [--dtype bfloat16] [--runs 3]
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import {
  CompileCache,
  EnvironmentBuilder,
  GATEWAY_VERSION,
  JobRunner,
  KernelManager,
  SANDBOX_ID,
  createKernelLauncher,
  findHostDevices
} from '@jaxlab/kernel-gateway';
import { openStore } from '@jaxlab/store';

import { evidenceLine } from './evidence-line.mjs';

const { values: opts } = parseArgs({
  options: {
    venv: { type: 'string' },
    samples: { type: 'string' },
    out: { type: 'string' },
    accelerator: { type: 'string', default: 'gpu' },
    size: { type: 'string', default: '8192' },
    repeats: { type: 'string', default: '100' },
    dtype: { type: 'string', default: 'bfloat16' },
    runs: { type: 'string', default: '3' }
  }
});
if (!opts.venv || !opts.samples || !opts.out) {
  console.error(
    'usage: node check.mjs --venv DIR --samples DIR --out DIR [...]'
  );
  process.exit(2);
}
const ACCELERATOR = opts.accelerator;
const RUNS = Number(opts.runs);
const MATMUL_ARGS = {
  size: Number(opts.size),
  repeats: Number(opts.repeats),
  dtype: opts.dtype
};
const PYTHON = join(opts.venv, 'bin', 'python');
const sample = name =>
  readFileSync(join(opts.samples, name, 'main.py'), 'utf8');
const MATMUL = sample('matmul-throughput');
const SPIRALS = sample('spirals-mlp');
const JAX_PLATFORM = { gpu: 'cuda', tpu: 'tpu', cpu: 'cpu' }[ACCELERATOR];

const started = Date.now();
const log = [];
const say = line => {
  const stamped = `[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`;
  log.push(stamped);
  console.log(stamped);
};
const median = xs => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

const dataDir = mkdtempSync('/tmp/jaxlab-device-check-');
const store = await openStore({ sqlite: { path: join(dataDir, 'jaxlab.db') } });
const kernels = new KernelManager({
  // A GPU's runtime starts many threads and maps much host memory: limits
  // sized for the machine, not the gateway's defaults for small hosts, and
  // within the kernel memory budget (75% of its memory), or no kernel starts.
  launcher: createKernelLauncher({
    venvDir: opts.venv,
    limits: {
      memoryMaxBytes: Math.min(32 * 1024 ** 3, Math.floor(totalmem() / 2)),
      pidsMax: 4096
    },
    log: say
  }),
  dataDir,
  python: PYTHON,
  startTimeoutMs: 180_000,
  log: say
});
const isRoot = process.getuid?.() === 0;
const hostDevices = await findHostDevices();
const runner = new JobRunner({
  queue: store.queue,
  events: store.events,
  hosts: store.hosts,
  kernels,
  envBuilder: new EnvironmentBuilder({ dataDir, python: PYTHON }),
  hostDevices,
  compileCache: new CompileCache({
    dataDir,
    kernelUid: isRoot ? SANDBOX_ID : undefined
  }),
  artifacts: store.artifacts,
  hostId: hostname(),
  log: say
});

/** Submits a job as the check's user and waits for its end. */
async function runJob(code, args, projectId) {
  const job = await store.jobs.create('device-check', {
    projectId,
    code,
    requirements: '',
    entrypoint: 'main',
    args,
    accelerator: ACCELERATOR,
    timeLimitMs: 600_000
  });
  for (;;) {
    const now = await store.jobs.get(job.id);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(now.status)) {
      let text = '';
      for (let after = 0; ;) {
        const chunks = await store.events.readLogs(job.id, after, 1000);
        if (!chunks.length) break;
        text += chunks.map(c => c.text).join('');
        after = chunks.at(-1).seq;
      }
      say(
        `job ${job.id} ${now.status}${now.failure ? ` ${now.failure.reason}: ${now.failure.message}` : ''}`
      );
      return {
        jobId: job.id,
        status: now.status,
        failure: now.failure,
        metrics: now.metrics,
        manifest: now.manifest,
        logTail: text.slice(-2000)
      };
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/** The same program with plain `python main.py`, outside any sandbox. */
function runPlain(code, args) {
  const dir = mkdtempSync('/tmp/jaxlab-device-plain-');
  const call = `main(${Object.entries(args)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')})`;
  writeFileSync(join(dir, 'main.py'), `${code}\n\n${call}\n`);
  return new Promise(resolve => {
    const t0 = performance.now();
    const child = spawn(PYTHON, ['main.py'], {
      cwd: dir,
      env: { ...process.env, JAX_PLATFORMS: JAX_PLATFORM }
    });
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (out += d));
    child.on('close', code => {
      rmSync(dir, { recursive: true, force: true });
      const tflops = /Final tflops: ([\d.eE+-]+)/.exec(out)?.[1];
      resolve({
        exitCode: code,
        wallMs: performance.now() - t0,
        tflops: tflops === undefined ? undefined : Number(tflops),
        outputTail: out.slice(-1500)
      });
    });
  });
}

const evidence = {
  date: new Date().toISOString(),
  host: hostname(),
  gatewayVersion: GATEWAY_VERSION,
  accelerator: ACCELERATOR,
  sandbox: 'bubblewrap',
  matmulArgs: MATMUL_ARGS
};
let exitCode = 0;
try {
  await runner.start();
  evidence.hostDevices = {
    nodes: hostDevices.nodes.map(n => ({
      vendor: n.vendor,
      shared: n.shared.map(b => b.path),
      devices: n.devices.map(d => d.nodes.map(b => b.path))
    })),
    nvidiaGpus: hostDevices.nvidiaGpus,
    cudaDriverDir: hostDevices.cudaDriverDir,
    notes: hostDevices.notes
  };
  evidence.accelerators = runner.accelerators;
  evidence.slots = runner.slots;
  if (!runner.accelerators.some(a => a.kind === ACCELERATOR)) {
    say(`the probe kernel saw no ${ACCELERATOR} in the sandbox`);
    exitCode = 1;
  }
  const matmul = [];
  for (let i = 0; i < RUNS; i++) {
    matmul.push(await runJob(MATMUL, MATMUL_ARGS, 'device-check-matmul'));
  }
  const plainMatmul = [];
  for (let i = 0; i < RUNS; i++) {
    plainMatmul.push(await runPlain(MATMUL, MATMUL_ARGS));
    say(`python main.py (matmul): ${plainMatmul.at(-1).tflops} TFLOP/s`);
  }
  const spirals = [
    await runJob(SPIRALS, {}, 'device-check-spirals'),
    await runJob(SPIRALS, {}, 'device-check-spirals')
  ];
  const plainSpirals = await runPlain(SPIRALS, {});
  say(`python main.py (spirals): ${(plainSpirals.wallMs / 1000).toFixed(1)} s`);

  const tflops = runs => median(runs.map(r => r.metrics?.values?.tflops));
  const sandboxedTflops = tflops(matmul);
  const plainTflops = median(plainMatmul.map(r => r.tflops));
  const compileRatio = pair =>
    pair[1]?.metrics && pair[0]?.metrics
      ? pair[1].metrics.compilationTimeMs / pair[0].metrics.compilationTimeMs
      : NaN;
  evidence.matmul = { sandboxed: matmul, unsandboxed: plainMatmul };
  evidence.spirals = { sandboxed: spirals, unsandboxed: plainSpirals };
  const first = matmul.find(r => r.manifest)?.manifest;
  evidence.device = first?.device;
  evidence.versions = {
    jax: first?.jax,
    jaxlib: first?.jaxlib,
    jaxPlugins: first?.jaxPlugins,
    driver: first?.driver,
    python: first?.python
  };
  evidence.figures = {
    sandboxedTflops,
    unsandboxedTflops: plainTflops,
    tflopsRatio: sandboxedTflops / plainTflops,
    peakDeviceBytes: Math.max(
      ...matmul.map(r => r.metrics?.memory?.peakDeviceBytes ?? 0)
    ),
    matmulCompileMs: matmul.map(r => r.metrics?.compilationTimeMs),
    matmulExecutionMs: matmul.map(r => r.metrics?.executionTimeMs),
    matmulCacheHits: matmul.map(r => r.metrics?.compileCache?.hits),
    matmulCachedCompileRatio: compileRatio(matmul),
    spiralsCompileMs: spirals.map(r => r.metrics?.compilationTimeMs),
    spiralsCacheHits: spirals.map(r => r.metrics?.compileCache?.hits),
    spiralsCachedCompileRatio: compileRatio(spirals),
    spiralsExecutionMs: spirals.map(r => r.metrics?.executionTimeMs),
    spiralsPlainWallMs: plainSpirals.wallMs
  };
  const f = evidence.figures;
  evidence.goals = {
    'sandboxed TFLOP/s >= 0.98x unsandboxed': f.tflopsRatio >= 0.98,
    'cached recompile <= 0.2x the first compile (spirals)':
      f.spiralsCachedCompileRatio <= 0.2
  };
  if ([...matmul, ...spirals].some(r => r.status !== 'COMPLETED')) exitCode = 1;
} catch (error) {
  evidence.error = String(error?.stack ?? error);
  say(`check failed: ${evidence.error}`);
  exitCode = 1;
} finally {
  await runner.dispose();
  await kernels.dispose();
  await store.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}
evidence.log = log;
const slug = String(evidence.device?.kinds?.[0] ?? ACCELERATOR)
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')
  .replace(/^-|-$/g, '');
mkdirSync(opts.out, { recursive: true });
const file = join(opts.out, `${evidence.date.slice(0, 10)}-${slug}.json`);
writeFileSync(file, JSON.stringify(evidence, null, 2) + '\n');
console.log(`evidence: ${file}`);
console.log(evidenceLine(evidence, file));
process.exit(exitCode);
