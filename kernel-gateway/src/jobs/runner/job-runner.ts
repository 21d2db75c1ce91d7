import { readFileSync } from 'node:fs';
import os from 'node:os';

import type { Accelerator, DeviceSlot, HostInfo, Job } from '@jaxlab/schemas';
import { failureOf } from '@jaxlab/schemas';
import type {
  IHosts,
  IJobArtifacts,
  IJobEvents,
  IJobQueue,
  ISeries
} from '@jaxlab/store';

import type { IOutputLimits } from '../outputs/index.js';

import type { IHostAccelerator } from '../host/accelerator-detector.js';
import { describeAccelerators } from '../host/accelerator-detector.js';
import type { IDeviceProbe } from '../host/device-probe.js';
import { probeDevices } from '../host/device-probe.js';
import type { IHostDevices } from '../host/host-devices.js';
import { everyDevice } from '../host/host-devices.js';
import type { IHostPython } from '../host/host-python.js';
import type { CompileCache } from '../cache/compile-cache.js';
import { DeviceSlots } from '../slots/device-slots.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import { WarmKernels } from './warm-kernels.js';
import type { EnvironmentBuilder } from '../requirements/environment-builder.js';
import { DEFAULT_MAX_LOG_BYTES } from './job-event-writer.js';
import type { JobOutcome } from './job-execution.js';
import { JobExecution } from './job-execution.js';
import type { IJobKernels } from './job-kernels.js';
import type { LogSink } from '../../log/gateway-log.js';

/** What a {@link JobRunner} reports as it goes (each optional). */
export interface IRunnerMetrics {
  /** A job was claimed by this host. */
  claimed?(job: Job): void;
  /** A job this host ran ended (or was handed back, or lost). */
  ended?(job: Job, outcome: JobOutcome): void;
  /** A store operation of the loop failed. */
  storeError?(operation: 'claim' | 'heartbeat' | 'expire'): void;
}

/** Version of this package, recorded in every run manifest. */
export const GATEWAY_VERSION: string = (() => {
  try {
    // src/jobs/runner/ and lib/jobs/runner/ are both three levels down.
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
})();

/**
 * The one owner of a host's job loop. At start it probes, inside the
 * sandbox, which accelerators its kernels can really use and lays them out
 * as device slots ({@link DeviceSlots}); it registers the host with its
 * slots, claims queued jobs atomically only when a slot of their
 * accelerator is free (the rest wait in queue order), runs each through a
 * {@link JobExecution} with its slots' devices and renewing its lease, and
 * periodically fails jobs whose lease lapsed (their gateway died) with
 * HOST_LOST — any gateway may do that for any host.
 *
 * Queued jobs asking for an accelerator no live host of the lab has, or
 * for more devices than any host has, are claimed and failed
 * DEVICE_UNAVAILABLE, naming what there is, instead of waiting forever.
 *
 * `dispose()` stops claiming and ends each running job FAILED/INTERNAL with
 * a "gateway shutting down" message (rather than leaving it to lapse into
 * HOST_LOST), shutting its kernel down. Only a gateway that dies without
 * disposing leaves its jobs to the lease expiry.
 */
export class JobRunner {
  constructor(options: JobRunner.IOptions) {
    this._options = {
      hostId: os.hostname(),
      maxConcurrentJobs: 1,
      leaseMs: 10_000,
      renewEveryMs: 500,
      pollMs: 250,
      hostHeartbeatMs: 5000,
      expireEveryMs: 2000,
      cancelGraceMs: 500,
      defaultTimeLimitMs: 3600_000,
      maxLogBytes: DEFAULT_MAX_LOG_BYTES,
      failUnservableJobs: true,
      deviceWaitMs: 60_000,
      hostLivenessMs: 30_000,
      metrics: {},
      warmPool: false,
      sandboxed: true,
      log: () => undefined,
      // An option given as undefined keeps its default.
      ...(Object.fromEntries(
        Object.entries(options).filter(([, value]) => value !== undefined)
      ) as JobRunner.IOptions)
    } satisfies JobRunner.IResolvedOptions;
  }

  /** The host id jobs are claimed under. */
  get hostId(): string {
    return this._options.hostId;
  }

  /** The accelerators of this host (after `start()`). */
  get accelerators(): readonly IHostAccelerator[] {
    return this._accelerators;
  }

  /** The device slots of this host and who holds them (after `start()`). */
  get slots(): DeviceSlot[] {
    return this._slots?.slots ?? [];
  }

  /** Jobs running now. */
  get runningJobs(): readonly Job[] {
    return [...this._running.values()].map(e => e.job);
  }

  /**
   * Probes the host's accelerators inside the sandbox (unless given), lays
   * out its slots, inspects its Python, registers the host and starts the
   * loop. Idempotent.
   */
  async start(): Promise<void> {
    if (this._started || this._disposed) {
      return;
    }
    this._started = true;
    const { options } = this;
    const devices = options.hostDevices;
    if (options.accelerators) {
      this._accelerators = options.accelerators;
    } else {
      this._probe = await probeDevices(
        options.kernels,
        devices ? everyDevice(devices) : {}
      );
      this._accelerators = this._probe.accelerators;
    }
    this._slots = DeviceSlots.plan({
      accelerators: this._accelerators,
      nodes: devices?.nodes,
      nvidiaGpus: devices?.nvidiaGpus,
      tpuEnv: devices?.tpuEnv,
      cudaDriverDir: devices?.cudaDriverDir,
      cpuSlots: options.maxConcurrentJobs,
      gpuJobsPerDevice: options.gpuJobsPerDevice
    });
    this._hostPython = await options.envBuilder.host().catch(() => undefined);
    if (this._disposed) {
      return;
    }
    await options.compileCache?.removeStaleViews();
    if (options.warmPool) {
      this._warm = new WarmKernels({
        kernels: options.kernels,
        compileCache: options.compileCache,
        log: options.log
      });
      this._warm.fill(this._slots);
    }
    await this._heartbeat();
    this._timers.push(
      setInterval(() => void this._tick(), options.pollMs),
      setInterval(() => void this._heartbeat(), options.hostHeartbeatMs),
      setInterval(() => void this._expireLapsed(), options.expireEveryMs)
    );
    const how = options.accelerators
      ? 'as configured'
      : `probed in the sandbox${this._probe?.error ? `; probe: ${this._probe.error.split('\n')[0]}` : ''}`;
    const notes = devices?.notes.length ? `; ${devices.notes.join('; ')}` : '';
    options.log(
      `job runner on ${options.hostId}: devices ${how}: ${this._slots.describe()}${notes}`
    );
    void this._tick();
  }

  /**
   * Resolves once no job is running and none was claimable at the last
   * look; for tests and orderly shutdowns.
   */
  async whenIdle(): Promise<void> {
    while (this._running.size > 0 || this._ticking) {
      await Promise.race(
        [...this._running.values()].map(e => e.done).concat(delay(50))
      );
    }
  }

  /**
   * Graceful shutdown (SIGTERM): stops claiming at once, lets running jobs
   * finish for up to `graceMs`, then hands each one still running back to
   * the queue (its log says so, and its `attempt` counts up) and disposes.
   * A graceful stop is never the job's fault, so a job is handed back
   * however many times (a rolling restart of every gateway may move it
   * from host to host), rather than failing a sweep's trial.
   */
  async drain(graceMs: number): Promise<void> {
    this._draining = true;
    const { options } = this;
    const deadline = Date.now() + graceMs;
    options.log(
      `job runner: draining: no new jobs; ${this._running.size} running job(s) get ${Math.round(graceMs / 1000)} s to finish`,
      { event: 'jobs:draining' }
    );
    while (this._running.size > 0 && Date.now() < deadline) {
      await Promise.race([
        ...[...this._running.values()].map(e => e.done),
        delay(Math.max(0, Math.min(250, deadline - Date.now())))
      ]);
    }
    const left = [...this._running.values()];
    for (const { execution } of left) execution.handBack();
    await Promise.all(left.map(e => e.done));
    await this.dispose();
  }

  /**
   * Stops claiming, ends running jobs FAILED/INTERNAL ("gateway shutting
   * down") and shuts their kernels down. Idempotent.
   */
  async dispose(): Promise<void> {
    if (this._disposed) {
      return this._disposing;
    }
    this._disposed = true;
    this._disposing = (async () => {
      for (const timer of this._timers) {
        clearInterval(timer);
      }
      while (this._ticking) {
        await delay(10);
      }
      const running = [...this._running.values()];
      for (const entry of running) {
        entry.execution.stop(
          failureOf('gatewayShutDown', { host: this._options.hostId })
        );
      }
      await Promise.all(running.map(e => e.done));
      await this._warm?.dispose();
    })();
    return this._disposing;
  }

  private get options(): JobRunner.IResolvedOptions {
    return this._options;
  }

  private async _tick(): Promise<void> {
    if (this._ticking || this._disposed) {
      return;
    }
    this._ticking = true;
    try {
      const { options } = this;
      const slots = this._slots!;
      while (!this._disposed && !this._draining) {
        const capacity = slots.capacity();
        if (capacity.length === 0) break;
        // A job whose kernel would overcommit the host's memory waits in
        // the queue until running kernels end. Jobs claimed whose kernel
        // has not started yet hold no memory yet: count them in.
        const starting = [...this._running.values()].filter(
          e => e.execution.isKernelPending
        ).length;
        const hasMemory =
          options.kernels.hasMemoryFor?.(undefined, starting + 1) ?? true;
        if (hasMemory === this._isWaitingForMemory) {
          this._isWaitingForMemory = !hasMemory;
          options.log(
            hasMemory
              ? 'job runner: memory for a kernel is free again; claiming jobs'
              : "job runner: the host's kernel memory budget is in use; queued jobs wait",
            { event: hasMemory ? 'jobs:memory-free' : 'jobs:memory-wait' }
          );
        }
        if (!hasMemory) break;
        const job = await options.queue.claimNext({
          hostId: options.hostId,
          capacity,
          leaseMs: options.leaseMs,
          maxJobsPerOwner: options.maxJobsPerOwner
        });
        if (!job) {
          break;
        }
        options.metrics.claimed?.(job);
        this._launch(job, slots.acquire(job));
      }
      if (options.failUnservableJobs && !this._disposed && !this._draining) {
        await this._failUnservable();
      }
    } catch (error) {
      this.options.metrics.storeError?.('claim');
      this.options.log(`job runner: claim failed: ${String(error)}`);
    } finally {
      this._ticking = false;
    }
  }

  private _launch(job: Job, grant: ISlotGrant | undefined): void {
    const { options } = this;
    options.log(
      `job ${job.id}: claimed (${job.accelerator} × ${job.deviceCount ?? 1}, ${job.entrypoint}) on slot(s) ${grant?.slotIds.join(' ') ?? 'none'}`,
      { event: 'job:claimed', jobId: job.id }
    );
    const execution = new JobExecution({
      job,
      queue: options.queue,
      events: options.events,
      series: options.series,
      kernels: options.kernels,
      envBuilder: options.envBuilder,
      hostId: options.hostId,
      grant,
      probe: this._probe,
      hostsWith: accelerator => this._hostsWith(accelerator),
      compileCache: options.compileCache,
      warmKernels: this._warm,
      hostPython: this._hostPython,
      gatewayVersion: GATEWAY_VERSION,
      sandboxed: options.sandboxed,
      leaseMs: options.leaseMs,
      renewEveryMs: options.renewEveryMs,
      cancelGraceMs: options.cancelGraceMs,
      defaultTimeLimitMs: options.defaultTimeLimitMs,
      maxLogBytes: options.maxLogBytes,
      artifacts: options.artifacts,
      outputLimits: options.outputLimits,
      log: (line, fields) => options.log(line, { jobId: job.id, ...fields })
    });
    const done = execution.run().then(
      (outcome: JobOutcome) => {
        options.metrics.ended?.(job, outcome);
        options.log(
          `job ${job.id}: ${outcome.status === 'requeued' ? 'handed back to the queue' : outcome.status}${'failure' in outcome ? ` ${outcome.failure.reason}` : ''}`,
          { event: 'job:ended', jobId: job.id }
        );
      },
      (error: unknown) =>
        options.log(`job ${job.id}: ${String(error)}`, {
          event: 'job:ended',
          level: 'error',
          jobId: job.id
        })
    );
    const entry = { job, execution, done };
    this._running.set(job.id, entry);
    void done.finally(() => {
      this._running.delete(job.id);
      this._slots?.release(job.id);
      // A slot is free: the next queued job need not wait for the poll.
      void this._tick();
    });
  }

  /**
   * Claims and fails jobs asking for an accelerator no live host of the lab
   * offers, or for more of its devices than any live host has, and that
   * waited `deviceWaitMs` for one, saying what the lab's hosts do have.
   * Until then they stay QUEUED (the server says why), so a host starting
   * or coming back can still take them.
   */
  private async _failUnservable(): Promise<void> {
    const { options } = this;
    const now = Date.now();
    if (now - this._lastUnservableCheck < 1000) {
      return;
    }
    this._lastUnservableCheck = now;
    const hosts = await this._liveHosts();
    const offered = new Map<Accelerator, IHostAccelerator>();
    const largest = new Map<Accelerator, number>();
    for (const host of hosts) {
      for (const accelerator of host.accelerators) {
        if (accelerator.count > 0 && !offered.has(accelerator.kind)) {
          offered.set(accelerator.kind, accelerator);
        }
      }
      for (const kind of ['cpu', 'gpu', 'tpu'] as const) {
        largest.set(
          kind,
          Math.max(largest.get(kind) ?? 0, largestJobOn(host, kind))
        );
      }
    }
    for (const kind of ['cpu', 'gpu', 'tpu'] as const) {
      largest.set(
        kind,
        Math.max(largest.get(kind) ?? 0, this._slots?.largestJob(kind) ?? 0)
      );
    }
    const capacity = (['cpu', 'gpu', 'tpu'] as const).map(accelerator => ({
      accelerator,
      minDevices: (largest.get(accelerator) ?? 0) + 1,
      maxDevices: 1_000_000
    }));
    for (;;) {
      const job = await options.queue.claimNext({
        hostId: options.hostId,
        capacity,
        leaseMs: options.leaseMs,
        queuedBefore: new Date(now - options.deviceWaitMs)
      });
      if (!job) {
        return;
      }
      const available = describeAccelerators([...offered.values()]);
      const most = largest.get(job.accelerator) ?? 0;
      const failure =
        most === 0
          ? failureOf('deviceUnavailable', {
              accelerator: job.accelerator,
              available,
              offered: [...offered.keys()][0] ?? 'cpu'
            })
          : failureOf('tooManyDevices', {
              accelerator: job.accelerator,
              count: job.deviceCount ?? 1,
              most,
              available
            });
      await options.events.append(
        job.id,
        [{ type: 'job:status', status: 'FAILED', failure }],
        { hostId: options.hostId }
      );
      options.log(
        `job ${job.id}: FAILED DEVICE_UNAVAILABLE (${job.accelerator} × ${job.deviceCount})`,
        { event: 'job:ended', jobId: job.id }
      );
    }
  }

  /** Live hosts of the lab (this one included once registered). */
  private _liveHosts(): Promise<HostInfo[]> {
    return this.options.hosts.list(
      new Date(Date.now() - this.options.hostLivenessMs)
    );
  }

  /** Ids of live hosts that offer `accelerator`, for failure hints. */
  private async _hostsWith(accelerator: Accelerator): Promise<string[]> {
    const hosts = await this._liveHosts().catch(() => []);
    return hosts
      .filter(h =>
        h.accelerators.some(a => a.kind === accelerator && a.count > 0)
      )
      .map(h => h.hostId)
      .filter(id => id !== this.options.hostId);
  }

  private async _heartbeat(): Promise<void> {
    const { options } = this;
    try {
      await options.hosts.upsert({
        hostId: options.hostId,
        gatewayVersion: GATEWAY_VERSION,
        accelerators: this._accelerators,
        maxConcurrentJobs: Math.max(1, this.slots?.length ?? 1),
        slots: this.slots,
        runningJobs: this._running.size,
        sandboxed: options.sandboxed,
        lastSeenAt: new Date().toISOString()
      });
    } catch (error) {
      options.metrics.storeError?.('heartbeat');
      options.log(`job runner: host heartbeat failed: ${String(error)}`);
    }
  }

  private async _expireLapsed(): Promise<void> {
    try {
      const expired = await this.options.queue.expireLapsedLeases();
      for (const job of expired) {
        this.options.log(
          `job ${job.id}: lease of host ${job.host ?? '?'} lapsed: FAILED HOST_LOST`,
          { event: 'job:host-lost', jobId: job.id }
        );
      }
    } catch (error) {
      this.options.metrics.storeError?.('expire');
      this.options.log(`job runner: lease expiry failed: ${String(error)}`);
    }
  }

  private _accelerators: IHostAccelerator[] = [];
  private _probe: IDeviceProbe | undefined;
  private _warm: WarmKernels | undefined;
  private _slots: DeviceSlots | undefined;
  private _disposed = false;
  private _draining = false;
  private _isWaitingForMemory = false;
  private _disposing: Promise<void> = Promise.resolve();
  private _hostPython: IHostPython | undefined;
  private _lastUnservableCheck = 0;
  private _options: JobRunner.IResolvedOptions;
  private _running = new Map<
    string,
    { job: Job; execution: JobExecution; done: Promise<void> }
  >();
  private _started = false;
  private _ticking = false;
  private _timers: NodeJS.Timeout[] = [];
}

/** Statics and option types of {@link JobRunner}. */
export namespace JobRunner {
  export interface IOptions {
    /** Where jobs are claimed, leases renewed and lapsed ones expired. */
    queue: IJobQueue;
    /** Where the jobs' events go. */
    events: IJobEvents;
    /** Where the jobs' step series go. */
    series: ISeries;
    /**
     * Where each run's outputs/ (a profiled run's trace among them) are kept
     * (none: they are not collected).
     */
    artifacts?: IJobArtifacts;
    /** Limits of that collection per run (default: 1000 files, 1 GiB). */
    outputLimits?: IOutputLimits;
    /** Where this host registers and learns of the lab's other hosts. */
    hosts: IHosts;
    /** Starts restricted kernels: the gateway's KernelManager. */
    kernels: IJobKernels;
    /** Builds or reuses requirements environments. */
    envBuilder: EnvironmentBuilder;
    /** Host id jobs are claimed under (default: the host name). */
    hostId?: string;
    /**
     * The host's accelerators as facts, skipping the probe (tests, a fake
     * host); by default a probe kernel finds them inside the sandbox.
     */
    accelerators?: IHostAccelerator[];
    /** The host's accelerator nodes, GPUs and TPU settings (default: none). */
    hostDevices?: IHostDevices;
    /** CPU jobs run at once on this host: its CPU slots (default 1). */
    maxConcurrentJobs?: number;
    /** Jobs sharing one GPU, each with that share of its memory (default 1). */
    gpuJobsPerDevice?: number;
    /** Per-owner, per-project JAX compile caches (default: none). */
    compileCache?: CompileCache;
    /**
     * Keep one started kernel (Python and JAX imported) per slot for jobs
     * without requirements (default false).
     */
    warmPool?: boolean;
    /** Lease of a claimed job (default 10 s). */
    leaseMs?: number;
    /** Lease renewal, which also picks up cancel requests (default 500 ms). */
    renewEveryMs?: number;
    /** How often to look for queued jobs (default 250 ms). */
    pollMs?: number;
    /** Host registration refresh (default 5 s). */
    hostHeartbeatMs?: number;
    /** How often lapsed leases of any host are expired (default 2 s). */
    expireEveryMs?: number;
    /** After a cancel's interrupt, time before the kernel is killed (default 500 ms). */
    cancelGraceMs?: number;
    /** Time limit of a job that sets none (default 1 hour). */
    defaultTimeLimitMs?: number;
    /**
     * Log output stored per job (default 256 MiB); past it the job goes on,
     * its output is discarded and its log says so and how much.
     */
    maxLogBytes?: number;
    /** Fail jobs for accelerators no live host has (default true). */
    failUnservableJobs?: boolean;
    /**
     * How long a job for an accelerator no live host has stays QUEUED
     * before it fails DEVICE_UNAVAILABLE (default 60 s).
     */
    deviceWaitMs?: number;
    /**
     * Most jobs one user may have COMPILING or RUNNING on all hosts
     * together (default: no cap). Give every gateway the same value.
     */
    maxJobsPerOwner?: number;
    /** Where the runner reports what happens, for /metrics. */
    metrics?: IRunnerMetrics;
    /** A host counts as live if seen this recently (default 30 s). */
    hostLivenessMs?: number;
    /** Whether kernels run in the sandbox (recorded in manifests). */
    sandboxed?: boolean;
    log?: LogSink;
  }

  /** @internal */
  export type IResolvedOptions = Required<Omit<IOptions, OptionalOptions>> &
    Pick<IOptions, OptionalOptions>;

  type OptionalOptions =
    | 'accelerators'
    | 'hostDevices'
    | 'gpuJobsPerDevice'
    | 'compileCache'
    | 'artifacts'
    | 'outputLimits'
    | 'maxJobsPerOwner';
}

/**
 * The most devices of `kind` one job can get on `host`: its GPUs, its TPU
 * chips, or the XLA CPU devices of a CPU slot (hosts registered before
 * slots: what JAX saw).
 */
function largestJobOn(host: HostInfo, kind: Accelerator): number {
  const count = host.accelerators.find(a => a.kind === kind)?.count ?? 0;
  if (kind === 'gpu' || count === 0) return count;
  const slots = (host.slots ?? []).filter(s => s.accelerator === kind);
  return slots.length ? Math.max(...slots.map(s => s.deviceCount)) : count;
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
