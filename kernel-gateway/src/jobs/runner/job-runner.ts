import type { Accelerator, DeviceSlot, HostInfo, Job } from '@jaxlab/schemas';
import { failureOf } from '@jaxlab/schemas';

import type { IHostAccelerator } from '../host/accelerator-detector.js';
import type { IDeviceProbe } from '../host/device-probe.js';
import { probeDevices } from '../host/device-probe.js';
import { everyDevice } from '../host/host-devices.js';
import type { IHostPython } from '../host/host-python.js';
import { DeviceSlots } from '../slots/device-slots.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import { WarmKernels } from './warm-kernels.js';
import type { JobOutcome } from './job-outcome.js';
import { JobExecution } from './job-execution.js';
import { resolveRunnerOptions } from './job-runner-options.js';
import type {
  IJobRunnerOptions,
  IResolvedJobRunnerOptions
} from './job-runner-options.js';
import { failUnservableJobs } from './unservable-jobs.js';
import { GATEWAY_VERSION } from './gateway-version.js';

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
    this._options = resolveRunnerOptions(options);
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

  /** Fails queued jobs no live host can serve (see failUnservableJobs), at most once a second. */
  private async _failUnservable(): Promise<void> {
    const { options } = this;
    const now = Date.now();
    if (now - this._lastUnservableCheck < 1000) {
      return;
    }
    this._lastUnservableCheck = now;
    await failUnservableJobs({
      ...options,
      hosts: await this._liveHosts(),
      largestJobHere: kind => this._slots?.largestJob(kind) ?? 0
    });
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
  /** Options of a {@link JobRunner} (see job-runner-options.ts). */
  export type IOptions = IJobRunnerOptions;

  /** @internal */
  export type IResolvedOptions = IResolvedJobRunnerOptions;
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
