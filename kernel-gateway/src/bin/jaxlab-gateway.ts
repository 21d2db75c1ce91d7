#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { labPaths } from '@jaxlab/paths';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import { createGateway } from '../http/create-gateway.js';
import {
  CompileCache,
  DEFAULT_OUTPUT_LIMITS,
  EnvironmentBuilder,
  JobRunner,
  findHostDevices
} from '../jobs/index.js';
import type { IOutputLimits } from '../jobs/index.js';
import { KernelManager } from '../kernels/kernel-manager.js';
import { createLogSink } from '../log/gateway-log.js';
import { GatewayMetrics } from '../metrics/index.js';
import {
  GATEWAY_NICE,
  SANDBOX_ID,
  createKernelLauncher,
  probeSandbox,
  setGatewayPriority
} from '../sandbox/index.js';
import type { ISandboxProbe } from '../sandbox/index.js';
import { IOPUB_RATE_LIMIT } from '../wire/index.js';

const USAGE = `Usage: jaxlab-gateway --port 8701 --token T [options]

  --port N             port to listen on (default 8701)
  --ip ADDR            address to bind (default 127.0.0.1)
  --token T            the operator token: every kernel (default: $JAXLAB_GATEWAY_TOKEN, else a random one, printed)
  --data-dir D         data folder; kernels live in D/kernels (default: $JAXLAB_DATA_DIR or <repo>/.jaxlab)
  --venv DIR           virtual environment with the harness (default <repo>/.venv)
  --max-kernels N      most kernels at once (403 beyond; default 16)
  --memory-budget-gib N  memory all kernels' limits may add up to (default: 75% of physical
                       memory); a kernel start beyond it answers 403, a job waits in the queue
  --prespawn N         pre-started kernels kept ready (default 0)
  --idle-cull-s S      shut down kernels idle this many seconds (default: never)
  --start-timeout-s S  how long a kernel may take to start (default 60)
  --allow-origin O     allow browser Origin O (repeatable; '*' allows any)
  --unsafe-no-sandbox  run kernels WITHOUT bubblewrap (user code gets the gateway's rights)
  --run-jobs           claim and run queued jobs from the store (the default): SQLite at
                       D/jaxlab.db, or MongoDB when $MONGODB_URI is set
  --no-run-jobs        serve kernels only; run no jobs
  --no-user-credentials accept only the operator token (default: also the lab's per-user
                       credentials, personal API tokens looked up in the store; a user sees
                       only their own kernels and sessions)
  --max-jobs N         CPU jobs run at once on this host (its CPU slots; default 1). A GPU host
                       runs one job per GPU, a TPU host one job over all its chips
  --max-jobs-per-user N  most jobs one user may have running on all hosts together (default:
                       $JAXLAB_MAX_JOBS_PER_USER, else no cap; give every gateway and the server
                       the same value)
  --lease-s S          lease of a claimed job: a host silent this long loses its jobs HOST_LOST (default 10)
  --device-wait-s S    a job for an accelerator no live host has stays QUEUED this long, then
                       fails DEVICE_UNAVAILABLE (default 60)
  --drain-grace-s S    on SIGTERM: stop claiming, let running jobs finish for this long, then hand
                       the rest back to the queue (default 30)
  --gpu-jobs-per-device N  jobs sharing one GPU, each with 1/N of its memory (default 1)
  --device-path P      pass exactly these accelerator device nodes into kernels instead of the
                       detected ones (repeatable; e.g. /dev/nvidiactl /dev/nvidia0)
  --no-devices         pass no accelerator device node into kernels (CPU only)
  --iopub-mib-per-s N  output read from one kernel per second in MiB, after a 4 MiB burst (default
                       16); past it the kernel's writes wait, it is read at 4 MiB/s at most and runs
                       at the lowest CPU priority until its flood is over
  --nice N             nice value of the gateway's session, so that it gets a CPU before its kernels
                       (default -10; needs CAP_SYS_NICE and a gateway that leads its session)
  --max-log-mib N      log output stored per job (default 256); the rest is discarded, and the log says so
  --outputs-max-files N  files of a run's outputs/ kept as its artifacts (default 1000)
  --outputs-max-mib N  bytes of outputs/ kept per run, all files together (default 1024); per file too;
                       files over a limit are dropped, and the run's log names them
  --no-warm-pool       start each job's kernel fresh instead of keeping one ready per slot
  --host-id ID         host id jobs are claimed under (default: the host name)
  --log-format F       json (one object per line: time, level, event, kernelId, jobId, msg) or
                       text (default: text at a terminal, json otherwise)
  --help               show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8701' },
      ip: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      venv: { type: 'string' },
      'max-kernels': { type: 'string', default: '16' },
      'memory-budget-gib': { type: 'string' },
      prespawn: { type: 'string', default: '0' },
      'idle-cull-s': { type: 'string' },
      'start-timeout-s': { type: 'string', default: '60' },
      'allow-origin': { type: 'string', multiple: true, default: [] },
      'unsafe-no-sandbox': { type: 'boolean', default: false },
      'run-jobs': { type: 'boolean', default: true },
      'no-run-jobs': { type: 'boolean', default: false },
      'no-user-credentials': { type: 'boolean', default: false },
      'max-jobs': { type: 'string', default: '1' },
      'max-log-mib': { type: 'string' },
      'iopub-mib-per-s': { type: 'string' },
      nice: { type: 'string', default: String(GATEWAY_NICE) },
      'outputs-max-files': { type: 'string' },
      'outputs-max-mib': { type: 'string' },
      'max-jobs-per-user': {
        type: 'string',
        default: process.env.JAXLAB_MAX_JOBS_PER_USER || undefined
      },
      'lease-s': { type: 'string', default: '10' },
      'device-wait-s': { type: 'string', default: '60' },
      'drain-grace-s': { type: 'string', default: '30' },
      'gpu-jobs-per-device': { type: 'string', default: '1' },
      'device-path': { type: 'string', multiple: true, default: [] },
      'no-devices': { type: 'boolean', default: false },
      'no-warm-pool': { type: 'boolean', default: false },
      'host-id': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // One JSON object per line when a program reads the log; readable
  // lines at a terminal. Either way one line per event, escaped.
  const log = createLogSink({
    json:
      values['log-format'] === 'json' ||
      (values['log-format'] !== 'text' && !process.stdout.isTTY)
  });
  const number = (
    name: string,
    text: string | undefined
  ): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) {
      console.error(`--${name} must be a non-negative number\n\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const nice = Number(values.nice);
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    console.error(`--nice must be an integer from -20 to 19\n\n${USAGE}`);
    process.exit(2);
  }
  log(`gateway: ${await setGatewayPriority(nice)}`, {
    event: 'gateway:cpu-priority'
  });
  let token = values.token ?? process.env.JAXLAB_GATEWAY_TOKEN;
  if (!token) {
    token = randomBytes(24).toString('hex');
    log(`no --token given; generated token: ${token}`);
  }
  const paths = labPaths();
  const venvDir = values.venv ? path.resolve(values.venv) : paths.venvDir;
  const dataDir = values['data-dir']
    ? path.resolve(values['data-dir'])
    : paths.dataDir;
  const isUnsafe = values['unsafe-no-sandbox'];
  if (isUnsafe) {
    log(
      'WARNING: --unsafe-no-sandbox: kernels run WITHOUT a sandbox; user code gets the rights of this gateway',
      { event: 'gateway:unsandboxed', level: 'warn' }
    );
  }
  const launcher = createKernelLauncher({
    unsafeNoSandbox: isUnsafe,
    venvDir,
    log
  });
  const cullS = number('idle-cull-s', values['idle-cull-s']);
  const iopubRate = mib(number('iopub-mib-per-s', values['iopub-mib-per-s']));
  const kernels = new KernelManager({
    launcher,
    dataDir,
    python: path.join(venvDir, 'bin', 'python'),
    maxKernels: number('max-kernels', values['max-kernels']),
    memoryBudgetBytes: gib(
      number('memory-budget-gib', values['memory-budget-gib'])
    ),
    prespawn: number('prespawn', values.prespawn),
    idleCullMs: cullS ? cullS * 1000 : undefined,
    startTimeoutMs:
      (number('start-timeout-s', values['start-timeout-s']) ?? 60) * 1000,
    iopubRateLimit: iopubRate
      ? { ...IOPUB_RATE_LIMIT, bytesPerSecond: iopubRate }
      : undefined,
    log
  });
  const metrics = new GatewayMetrics({
    kernelsRunning: () => kernels.list().length
  });
  // The job runner: claims queued jobs of the shared store for this host.
  const isRunningJobs = values['run-jobs'] && !values['no-run-jobs'];
  const isAcceptingUsers = !values['no-user-credentials'];
  let store: IStore | undefined;
  let runner: JobRunner | undefined;
  if (isRunningJobs || isAcceptingUsers) {
    try {
      store = await openStore({ dataDir });
    } catch (error) {
      console.error(`jaxlab-gateway: cannot open the store: ${String(error)}`);
      await kernels.dispose();
      process.exit(1);
    }
  }
  if (isRunningJobs && store) {
    const python = path.join(venvDir, 'bin', 'python');
    let hostDevices;
    try {
      hostDevices = await findHostDevices({
        noDevices: values['no-devices'],
        devicePaths: values['device-path']
      });
    } catch (error) {
      console.error(`jaxlab-gateway: ${String(error)}\n\n${USAGE}`);
      await kernels.dispose();
      process.exit(2);
    }
    runner = new JobRunner({
      queue: store.queue,
      events: store.events,
      series: store.series,
      hosts: store.hosts,
      kernels,
      envBuilder: new EnvironmentBuilder({ dataDir, python, log }),
      hostDevices,
      compileCache: new CompileCache({
        dataDir,
        kernelUid:
          !isUnsafe && process.getuid?.() === 0 ? SANDBOX_ID : undefined
      }),
      warmPool: !values['no-warm-pool'],
      hostId: values['host-id'],
      maxConcurrentJobs: Math.max(
        1,
        number('max-jobs', values['max-jobs']) ?? 1
      ),
      gpuJobsPerDevice: Math.max(
        1,
        number('gpu-jobs-per-device', values['gpu-jobs-per-device']) ?? 1
      ),
      sandboxed: !isUnsafe,
      maxLogBytes: mib(number('max-log-mib', values['max-log-mib'])),
      artifacts: store.artifacts,
      outputLimits: outputLimits(
        number('outputs-max-files', values['outputs-max-files']),
        mib(number('outputs-max-mib', values['outputs-max-mib']))
      ),
      maxJobsPerOwner: number('max-jobs-per-user', values['max-jobs-per-user']),
      leaseMs: seconds(number('lease-s', values['lease-s'])),
      deviceWaitMs: seconds(number('device-wait-s', values['device-wait-s'])),
      metrics: metrics.runner,
      log
    });
    const kind = store.kind;
    void runner
      .start()
      .then(() => log(`running jobs from the ${kind} store`))
      .catch(error => {
        console.error(`jaxlab-gateway: cannot run jobs: ${String(error)}`);
        process.exit(1);
      });
  }
  const gateway = createGateway({
    kernels,
    token,
    allowOrigins: values['allow-origin'],
    log,
    projects: store?.projects,
    accounts: isAcceptingUsers ? store?.accounts : undefined,
    operations: {
      checks: {
        ...(store ? { store: () => store!.ping() } : {}),
        sandbox: isUnsafe ? async () => undefined : sandboxCheck(metrics)
      },
      metrics: metrics.registry
    }
  });
  let isStopping = false;
  const graceMs =
    seconds(number('drain-grace-s', values['drain-grace-s'])) ?? 30_000;
  const stop = async (signal: string): Promise<void> => {
    if (isStopping) return;
    isStopping = true;
    log(`${signal}: draining jobs, then shutting down every kernel`, {
      event: 'gateway:stopping'
    });
    // Running jobs get the grace period; the rest go back to the queue.
    await runner?.drain(signal === 'SIGTERM' ? graceMs : 0);
    await gateway.close();
    await kernels.dispose();
    await store?.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  gateway
    .listen(number('port', values.port) ?? 8701, values.ip)
    .then(address => {
      log(
        `jaxlab-gateway listening on http://${address.address}:${address.port} (data ${dataDir}, ${isUnsafe ? 'NO SANDBOX' : 'bubblewrap sandbox'})`,
        { event: 'gateway:listening' }
      );
    })
    .catch(error => {
      console.error(`jaxlab-gateway: cannot listen: ${String(error)}`);
      void kernels.dispose().then(() => process.exit(1));
    });
}

/**
 * The sandbox part of /readyz: bubblewrap is there and the seccomp filter
 * compiles (probed at most every 30 s: it compiles the filter).
 */
function sandboxCheck(metrics: GatewayMetrics): () => Promise<void> {
  let last: { at: number; probe: Promise<ISandboxProbe> } | undefined;
  return async () => {
    if (!last || Date.now() - last.at > 30_000)
      last = { at: Date.now(), probe: probeSandbox() };
    const probe = await last.probe.catch((error: unknown) => {
      last = undefined;
      throw error;
    });
    if (!probe.bwrap) {
      metrics.sandboxProbeFailed();
      throw new Error('bubblewrap (bwrap) is missing: no kernel can start');
    }
  };
}

function seconds(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 1000);
}

function gib(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 1024 ** 3);
}

function outputLimits(
  maxFiles: number | undefined,
  maxBytes: number | undefined
): IOutputLimits {
  const bytes = maxBytes ?? DEFAULT_OUTPUT_LIMITS.maxBytes;
  return {
    maxFiles: maxFiles ?? DEFAULT_OUTPUT_LIMITS.maxFiles,
    maxBytes: bytes,
    maxFileBytes: bytes
  };
}

function mib(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 1024 * 1024);
}

void main();
