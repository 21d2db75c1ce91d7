import { createHash } from 'node:crypto';

import type { KernelMessage } from '@jupyterlab/services';

import type {
  Accelerator,
  Failure,
  Job,
  JobStatus,
  Metrics,
  RunManifest
} from '@jaxlab/schemas';
import {
  failureOf,
  isJaxLabError,
  isValid,
  KERNEL_ERROR_NAMES,
  METRICS_MIME_TYPE,
  STEP_METRICS_MIME_TYPE,
  validateRequirements
} from '@jaxlab/schemas';
import type {
  IJobArtifacts,
  IJobEvents,
  IJobQueue,
  ISeries
} from '@jaxlab/store';

import { collectOutputs, DEFAULT_OUTPUT_LIMITS } from '../outputs/index.js';
import type { IOutputLimits } from '../outputs/index.js';

import type { IJobFolderUsage } from '../../sandbox/job-folder.js';
import type { IKernelProcess } from '../../sandbox/kernel-launcher.js';
import type {
  CompileCache,
  ICompileCacheView
} from '../cache/compile-cache.js';
import type { IDeviceProbe } from '../host/device-probe.js';
import type { IHostPython } from '../host/host-python.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import type {
  EnvironmentBuilder,
  IRequirementsEnvironment
} from '../requirements/environment-builder.js';
import { StepSeriesWriter } from '../metrics/step-series-writer.js';
import type { IJobKernel, IJobKernels } from './job-kernels.js';
import { failureOfKernelExit } from './kernel-exit-failure.js';
import { JobEventWriter } from './job-event-writer.js';
import { jobKernelOptions } from './job-kernel-options.js';
import type { WarmKernels } from './warm-kernels.js';
import { renderDesignatedCall } from './python-call.js';
import type { LogSink } from '../../log/gateway-log.js';

/**
 * How a job ended, as the runner decided. `lost`: the lease is gone, write
 * nothing; `requeued`: handed back to the queue for another host.
 */
export type JobOutcome =
  | { status: Extract<JobStatus, 'COMPLETED'> }
  | { status: Extract<JobStatus, 'FAILED' | 'CANCELLED'>; failure: Failure }
  | { status: 'lost' }
  | { status: 'requeued' };

/**
 * One claimed job from COMPILING to its final status: validates the
 * requirements, builds or reuses their environment, starts a restricted
 * kernel, runs the designated call, turns iopub messages into job events,
 * enforces the time limit, acts on cancel requests and lease loss, records
 * the run manifest and always shuts the kernel down. `run()` never throws:
 * every way a job can end is a final status with a failure reason, message
 * and hint (or nothing at all when the lease was lost: the store failed the
 * job HOST_LOST).
 */
export class JobExecution {
  constructor(options: JobExecution.IOptions) {
    this._options = options;
    this.job = options.job;
    this._writer = new JobEventWriter({
      events: options.events,
      jobId: options.job.id,
      hostId: options.hostId,
      maxLogBytes: options.maxLogBytes,
      onLost: error => {
        if (
          isJaxLabError(error) &&
          (error.code === 'LEASE_LOST' || error.code === 'JOB_FINISHED')
        ) {
          this._loseLease();
        }
      }
    });
    this._steps = new StepSeriesWriter({
      series: options.series,
      jobId: options.job.id,
      appendEvent: event => this._writer.append(event),
      logLine: text => this._writer.log('stderr', text),
      log: line => options.log(`job ${options.job.id}: ${line}`)
    });
  }

  /** The job as claimed. */
  readonly job: Job;

  /** How it ended, once it did. */
  get outcome(): JobOutcome | undefined {
    return this._outcome;
  }

  /** Whether the job still waits for its kernel to start (it will need one). */
  get isKernelPending(): boolean {
    return !this._kernel && !this._outcome && !this._forcedOutcome;
  }

  /** Runs the job to its end. Never throws. */
  async run(): Promise<JobOutcome> {
    const renewTimer = setInterval(
      () => void this._renew(),
      this._options.renewEveryMs
    );
    let outcome: JobOutcome;
    try {
      outcome = await Promise.race([
        this._execute().catch(error => this._internal(error)),
        this._forced.promise
      ]);
    } catch (error) {
      outcome = this._internal(error);
    } finally {
      clearInterval(renewTimer);
      clearInterval(this._diskTimer);
      clearTimeout(this._timeLimitTimer);
      clearTimeout(this._graceTimer);
    }
    // A forced end (cancel, timeout, lost lease) may have won the race while
    // the kernel was still starting or running: stop both.
    this._abort.abort();
    this._outcome = outcome;
    // The kernel goes first: its outputs/ are collected once no process of
    // it is left, and listed before the run is seen to end.
    await this._shutdownKernel(outcome.status !== 'lost');
    // Its compile-cache entries too: a run submitted once this one is seen
    // to end finds them.
    await this._closeCompileCache();
    try {
      await this._steps.flush();
      this._steps.dispose();
      if (outcome.status === 'CANCELLED' && this._cancelling) {
        this._writer.log('stdout', '[jaxlab] Cancelled on request.\n');
      }
      await this._writer.finish();
      if (outcome.status === 'requeued') {
        await this._handBack();
      } else if (outcome.status !== 'lost') {
        await this._recordManifest();
        await this._writer.append(
          outcome.status === 'COMPLETED'
            ? { type: 'job:status', status: 'COMPLETED' }
            : {
                type: 'job:status',
                status: outcome.status,
                failure: outcome.failure
              }
        );
      }
    } catch (error) {
      this._options.log(
        `job ${this.job.id}: cannot record its end: ${String(error)}`
      );
    }
    return outcome;
  }

  /** Ends the job now with `failure` (e.g. the gateway is shutting down). */
  stop(failure: Failure): void {
    this._force(ended(failure));
  }

  private async _execute(): Promise<JobOutcome> {
    const job = this.job;
    const options = this._options;

    // The runner claims a job only when its slots are free.
    const grant = options.grant;
    if (!grant) {
      return ended(
        failureOf('noFreeSlot', {
          host: options.hostId,
          accelerator: job.accelerator
        })
      );
    }

    // Requirements: validated here too (never trust the submitter).
    await this._writer.append({ type: 'job:phase', phase: 'environment' });
    let sanitized: string;
    try {
      sanitized = validateRequirements(job.requirements).sanitized;
    } catch (error) {
      if (isJaxLabError(error) && error.code === 'REQUIREMENTS_REJECTED') {
        return rejected(error);
      }
      throw error;
    }
    if (sanitized) {
      this._writer.log('stdout', `Installing requirements:\n${sanitized}`);
    }
    let environment: IRequirementsEnvironment | null;
    try {
      environment = await options.envBuilder.build(sanitized, {
        signal: this._abort.signal,
        onOutput: (stream, text) => this._writer.log(stream, text)
      });
    } catch (error) {
      if (this._forcedOutcome) {
        return this._forcedOutcome;
      }
      if (isJaxLabError(error) && error.code === 'REQUIREMENTS_REJECTED') {
        return rejected(error);
      }
      throw error;
    }
    this._environment = environment;
    if (environment) {
      this._writer.log(
        'stdout',
        `Using requirements environment ${environment.sha256.slice(0, 12)} (${environment.reused ? 'cached' : 'built'}).\n`
      );
    }
    if (this._forcedOutcome) {
      return this._forcedOutcome;
    }

    // The kernel: the slot's warm one when the job needs no requirements,
    // else a fresh one, JAX pinned to the slot's platform either way (see
    // jobKernelOptions). The harness checks the project and runs it only
    // for the call.
    await this._writer.append({ type: 'job:phase', phase: 'kernel' });
    const timeLimitMs = job.timeLimitMs ?? options.defaultTimeLimitMs;
    const files = {
      ...Object.fromEntries(
        (job.files ?? []).map(file => [file.path, file.content])
      ),
      'main.py': job.code,
      'requirements.txt': job.requirements
    };
    const deviceCount = job.deviceCount ?? 1;
    let kernel: IJobKernel;
    try {
      const warm = environment
        ? undefined
        : options.warmKernels?.take(grant, deviceCount);
      if (warm) {
        this._cacheView = warm.view;
        this._kernelStart = Promise.resolve(warm.kernel);
        await options.kernels.writeFiles(warm.kernel.id, files);
        options.log(`job ${job.id}: warm kernel ${warm.kernel.id}`);
      } else {
        this._cacheView = await options.compileCache?.createView();
        this._kernelStart = options.kernels.startKernel({
          files,
          designatedFunctions: [job.entrypoint],
          requirementsEnvDir: environment?.sitePackagesDir,
          ...jobKernelOptions(grant, deviceCount, this._cacheView),
          // A backstop only: the runner's own timer ends the job first.
          limits: { wallClockLimitMs: timeLimitMs + 60_000 }
        });
      }
      kernel = await this._kernelStart;
      if (this._cacheView) {
        await options.compileCache!.fill(
          this._cacheView,
          job.owner,
          job.projectId
        );
      }
    } catch (error) {
      if (this._forcedOutcome) {
        return this._forcedOutcome;
      }
      throw error;
    }
    this._kernel = kernel;
    if (this._forcedOutcome) {
      return this._forcedOutcome;
    }

    const call = renderDesignatedCall(job.entrypoint, job.args);
    await this._writer.append({
      type: 'job:phase',
      phase: 'call',
      detail: call.slice(0, 200)
    });
    await this._writer.append({ type: 'job:status', status: 'RUNNING' });
    this._timeLimitTimer = setTimeout(
      () => this._onTimeLimit(timeLimitMs),
      timeLimitMs
    );
    this._diskTimer = setInterval(
      () => void this._checkDiskQuota(),
      DISK_CHECK_EVERY_MS
    );

    let idle!: () => void;
    const idleSeen = new Promise<void>(resolve => (idle = resolve));
    let errorContent: KernelMessage.IErrorMsg['content'] | undefined;
    let reply: KernelMessage.IExecuteReplyMsg['content'];
    try {
      reply = await kernel.execute(call, {
        // The call's designated function and profile request (job kernels
        // only take these from the runner).
        metadata: {
          jaxlab: {
            designated: [job.entrypoint],
            profile: job.profile === true
          }
        },
        onIOPub: msg => {
          errorContent = this._onIOPub(msg) ?? errorContent;
          if (
            msg.header.msg_type === 'status' &&
            (msg as KernelMessage.IStatusMsg).content.execution_state === 'idle'
          ) {
            idle();
          }
          // While the store lags, the kernel's next output waits (and the
          // program's writes with it) instead of piling up here.
          return this._writer.whenWritable();
        }
      });
    } catch (error) {
      // The kernel died: the sandbox's reason decides.
      const exit = await Promise.race([
        kernel.exited,
        delay(2000).then(() => undefined)
      ]);
      return this._forcedOutcome ?? this._outcomeOfExit(exit, error);
    }
    // Output may still be in flight on iopub after the shell reply.
    await Promise.race([idleSeen, delay(1000)]);
    this._callReturned = true;
    await this._recordMetrics(kernel);
    if (this._forcedOutcome && !(this._handingBack && reply.status === 'ok')) {
      return this._forcedOutcome;
    }
    if (reply.status === 'ok') {
      return this._checkDevice() ?? { status: 'COMPLETED' };
    }
    if (reply.status === 'error') {
      // An error from a full folder (ENOSPC, EDQUOT) is the quota's doing.
      const full = await this._fullDisk();
      if (full) return this._diskQuotaOutcome(full);
      return await this._outcomeOfError({
        ename: reply.ename,
        evalue: reply.evalue,
        traceback: errorContent?.traceback ?? reply.traceback
      });
    }
    return ended(failureOf('kernelAborted'));
  }

  /** Turns one iopub message into job events; returns an error's content. */
  private _onIOPub(
    msg: KernelMessage.IIOPubMessage
  ): KernelMessage.IErrorMsg['content'] | undefined {
    const type = msg.header.msg_type;
    if (type === 'stream') {
      const content = (msg as KernelMessage.IStreamMsg).content;
      this._writer.log(
        content.name === 'stderr' ? 'stderr' : 'stdout',
        content.text
      );
    } else if (
      type === 'display_data' ||
      type === 'update_display_data' ||
      type === 'execute_result'
    ) {
      const data = (msg as KernelMessage.IDisplayDataMsg).content.data ?? {};
      if (STEP_METRICS_MIME_TYPE in data) {
        this._steps.accept(data[STEP_METRICS_MIME_TYPE]);
      }
      const metrics = data[METRICS_MIME_TYPE];
      if (metrics !== undefined && isValid('metrics', metrics)) {
        // Recorded once the call returned (with the sandbox's peak memory).
        this._reported = metrics as Metrics;
      }
    } else if (type === 'error') {
      const content = (msg as KernelMessage.IErrorMsg).content;
      if (
        content.ename === 'KeyboardInterrupt' &&
        (this._cancelling || this._handingBack)
      ) {
        // A cancel or a hand-back: the interrupt's traceback tells nothing.
        return content;
      }
      const traceback = (content.traceback ?? []).join('\n');
      this._writer.log(
        'stderr',
        (traceback || `${content.ename}: ${content.evalue}`) + '\n'
      );
      return content;
    }
    // status, execute_input, clear_output and comms carry no job output.
    return undefined;
  }

  private async _outcomeOfError(error: {
    ename: string;
    evalue: string;
    traceback?: string[];
  }): Promise<JobOutcome> {
    const { ename, evalue } = error;
    const { entrypoint } = this.job;
    const summary = `${ename}: ${evalue}`.slice(0, 3000);
    // The harness's own errors, by the names the shared table gives them.
    switch (ename) {
      case KERNEL_ERROR_NAMES.loadRejected:
        return ended(failureOf('loadRejected', { evalue }));
      case KERNEL_ERROR_NAMES.loadError:
        return ended(failureOf('loadError', { evalue }));
      case KERNEL_ERROR_NAMES.functionNotDefined:
        return ended(failureOf('functionNotDefined', { entrypoint, evalue }));
      case KERNEL_ERROR_NAMES.callNotAllowed:
        return ended(failureOf('callNotAllowed', { entrypoint, evalue }));
      case KERNEL_ERROR_NAMES.deviceUnavailable:
        return this._deviceUnavailable(evalue);
      case 'KeyboardInterrupt':
        return this._forcedOutcome ?? ended(failureOf('interrupted'));
    }
    if (
      ename === 'MemoryError' ||
      /RESOURCE_EXHAUSTED|[Oo]ut of memory/.test(evalue)
    ) {
      return ended(
        /RESOURCE_EXHAUSTED/.test(evalue)
          ? failureOf('outOfDeviceMemory', {
              accelerator: this.job.accelerator,
              summary
            })
          : failureOf('outOfMemory', { summary })
      );
    }
    return ended(failureOf('userError', { entrypoint, summary }));
  }

  private _outcomeOfExit(
    exit: IKernelProcess.IExit | undefined,
    cause: unknown
  ): JobOutcome {
    const failure = failureOfKernelExit(exit, this.job.entrypoint, cause);
    return failure === 'wall-clock'
      ? this._timeoutOutcome(
          this.job.timeLimitMs ?? this._options.defaultTimeLimitMs
        )
      : ended(failure);
  }

  /**
   * Appends the call's metrics: the kernel's figures, with the device facts
   * of the gateway's own probe of the slot and the sandbox's peak host
   * memory as its cgroup measured it, where it did. The kernel's word on its
   * devices is kept apart and labelled (the witness of a CPU fallback).
   */
  private async _recordMetrics(kernel: IJobKernel): Promise<void> {
    const claimed = this._reported;
    if (!claimed) return;
    const peakHostBytes = await kernel
      .peakMemoryBytes?.()
      .catch(() => undefined);
    const memory = { ...claimed.memory };
    if (peakHostBytes !== undefined) memory.peakHostBytes = peakHostBytes;
    const metrics: Metrics = {
      ...claimed,
      memory,
      device: this._options.grant?.device ?? claimed.device,
      kernelReportedDevice: claimed.device
    };
    this._metrics = metrics;
    await this._writer.append({ type: 'job:metrics', metrics });
  }

  /**
   * The kernel's device check failed: nothing of main.py ran. Says what JAX
   * saw, on which host, and where the accelerator can be found.
   */
  private async _deviceUnavailable(saw: string): Promise<JobOutcome> {
    const job = this.job;
    const host = this._options.hostId;
    const others = (await this._options.hostsWith?.(job.accelerator)) ?? [];
    const where = others.length
      ? `, or wait for a host that has one: ${others.slice(0, 5).join(', ')}`
      : `, or ask the administrator of host ${host} to check its ${job.accelerator} driver and the devices passed to the sandbox (docs/sandbox.md)`;
    const count = job.deviceCount ?? 1;
    return ended(
      failureOf('deviceNotInSandbox', {
        accelerator: job.accelerator,
        times: count > 1 ? ` × ${count}` : '',
        host,
        saw,
        where
      })
    );
  }

  /**
   * A job that asked for tpu/gpu must not silently have run on the CPU: a
   * misconfiguration only JAX inside the kernel can reveal, so here the
   * kernel's report counts (a program lying about it fools only itself).
   */
  private _checkDevice(): JobOutcome | undefined {
    const reported = this._metrics?.kernelReportedDevice;
    const platform = reported?.platform;
    if (
      this.job.accelerator !== 'cpu' &&
      platform &&
      platform !== this.job.accelerator
    ) {
      return ended(
        failureOf('deviceNotSeen', {
          accelerator: this.job.accelerator,
          platform,
          count: reported!.count
        })
      );
    }
    return undefined;
  }

  private async _renew(): Promise<void> {
    if (this._renewing || this._outcome) {
      return;
    }
    this._renewing = true;
    try {
      const { held, cancelRequested } = await this._options.queue.renewLease(
        this.job.id,
        this._options.hostId,
        this._options.leaseMs
      );
      if (!held) {
        this._loseLease();
      } else if (cancelRequested && !this._cancelling) {
        this._cancel();
      }
    } catch (error) {
      this._options.log(
        `job ${this.job.id}: cannot renew the lease: ${String(error)}`
      );
    } finally {
      this._renewing = false;
    }
  }

  private _cancel(): void {
    this._cancelling = true;
    const outcome = ended(failureOf('cancelled'));
    this._interruptThenForce(outcome, this._options.cancelGraceMs);
  }

  /** The job's folder, when its quota is used up. */
  private async _fullDisk(): Promise<IJobFolderUsage | undefined> {
    const usage = await this._kernel?.diskUsage?.().catch(() => undefined);
    return usage?.isFull ? usage : undefined;
  }

  /** Ends the job DISK_QUOTA as soon as its folder is full. */
  private async _checkDiskQuota(): Promise<void> {
    const full = await this._fullDisk();
    if (full) this._interruptThenForce(this._diskQuotaOutcome(full), 1000);
  }

  private _diskQuotaOutcome(usage: IJobFolderUsage): JobOutcome {
    return ended(
      failureOf('diskQuota', {
        quota:
          usage.usedFiles >= usage.maxFiles
            ? `${usage.maxFiles} files`
            : formatMiB(usage.maxBytes),
        used: formatMiB(usage.usedBytes),
        files: usage.usedFiles
      })
    );
  }

  private _onTimeLimit(timeLimitMs: number): void {
    this._interruptThenForce(this._timeoutOutcome(timeLimitMs), 1000);
  }

  private _timeoutOutcome(timeLimitMs: number): JobOutcome {
    return ended(
      failureOf('timeLimit', { limit: formatDuration(timeLimitMs) })
    );
  }

  /**
   * Interrupts the call (KeyboardInterrupt lets it end cleanly, with its
   * output flushed) and forces the end after `graceMs` whatever happens.
   */
  private _interruptThenForce(outcome: JobOutcome, graceMs: number): void {
    if (this._forcedOutcome) {
      return;
    }
    this._forcedOutcome = outcome;
    this._abort.abort();
    if (this._kernel) {
      this._options.kernels
        .interruptKernel(this._kernel.id)
        .catch(() => undefined);
      this._graceTimer = setTimeout(
        () => this._forced.resolve(outcome),
        graceMs
      );
    } else {
      this._forced.resolve(outcome);
    }
  }

  private _force(outcome: JobOutcome): void {
    this._forcedOutcome ??= outcome;
    this._abort.abort();
    this._forced.resolve(this._forcedOutcome);
  }

  /**
   * Stops the job and hands it back to the queue instead of failing it
   * (the gateway is shutting down and the job may run again elsewhere).
   * The call is interrupted first: one that returns meanwhile has
   * completed, and is recorded so rather than run a second time.
   */
  handBack(): void {
    this._handingBack = true;
    this._interruptThenForce({ status: 'requeued' }, HAND_BACK_GRACE_MS);
  }

  private async _handBack(): Promise<void> {
    const { hostId } = this._options;
    const attempt = (this.job.attempt ?? 1) + 1;
    await this._writer.append({
      type: 'job:log',
      stream: 'stderr',
      text: `[jaxlab] The gateway on host ${hostId} shut down before this job finished; the job goes back to the queue and starts again from the beginning (attempt ${attempt}).\n`
    });
    if (!(await this._options.queue.requeue(this.job.id, hostId))) {
      this._options.log(
        `job ${this.job.id}: lost its lease before it could be handed back`
      );
    }
  }

  private _loseLease(): void {
    this._forcedOutcome = { status: 'lost' };
    this._force(this._forcedOutcome);
  }

  private async _recordManifest(): Promise<void> {
    const job = this.job;
    const host = this._options.hostPython;
    const environment = this._environment;
    const manifest: RunManifest = {
      codeSha256: sha256(job.code),
      requirementsSha256: sha256(job.requirements),
      entrypoint: job.entrypoint,
      args: job.args,
      host: this._options.hostId,
      gatewayVersion: this._options.gatewayVersion,
      sandboxed: this._options.sandboxed
    };
    if (host) {
      manifest.python = host.pythonVersion;
    }
    Object.assign(manifest, jaxVersions(this._options.probe, host));
    const probe = this._options.probe;
    const driver = [
      probe?.driver,
      probe?.platformVersions[job.accelerator as Accelerator]
    ].filter(Boolean);
    if (job.accelerator !== 'cpu' && driver.length) {
      manifest.driver = driver.join('; ').slice(0, 256);
    }
    if (this._options.grant) {
      manifest.slots = this._options.grant.slotIds;
    }
    if (environment) {
      manifest.packages = environment.packages;
      manifest.environmentSha256 = environment.sha256;
    }
    if (this._options.grant) {
      manifest.device = this._options.grant.device;
    }
    if (this._metrics?.kernelReportedDevice) {
      manifest.kernelReportedDevice = this._metrics.kernelReportedDevice;
    }
    try {
      await this._options.events.setManifest(job.id, manifest);
    } catch (error) {
      this._options.log(
        `job ${job.id}: cannot record the run manifest: ${String(error)}`
      );
    }
  }

  /**
   * Keeps what the kernel added to its compile cache (only from a call
   * that returned: a killed kernel may have left half an entry), then
   * removes its view. After the kernel is gone.
   */
  private async _closeCompileCache(): Promise<void> {
    const view = this._cacheView;
    const cache = this._options.compileCache;
    if (!view || !cache) return;
    try {
      if (this._callReturned) {
        const kept = await cache.keep(view);
        if (kept.entries > 0) {
          this._options.log(
            `job ${this.job.id}: compile cache kept ${kept.entries} entries (${kept.bytes} bytes)`
          );
        }
      }
    } catch (error) {
      this._options.log(
        `job ${this.job.id}: compile cache not kept: ${String(error)}`
      );
    } finally {
      await cache.dispose(view).catch(() => undefined);
    }
  }

  private async _shutdownKernel(collect: boolean): Promise<void> {
    const kernel =
      this._kernel ?? (await this._kernelStart?.catch(() => undefined));
    if (kernel) {
      const { artifacts } = this._options;
      // The job has ended: nothing in the kernel is worth a polite exit,
      // which the next queued job would wait for.
      await this._options.kernels
        .shutdownKernel(kernel.id, {
          now: true,
          beforeRemove:
            collect && artifacts
              ? jobDir => this._collectOutputs(jobDir, artifacts)
              : undefined
        })
        .catch(error =>
          this._options.log(
            `job ${this.job.id}: kernel shutdown failed: ${String(error)}`
          )
        );
    }
  }

  /** Keeps what the run wrote under outputs/, saying so in its log. */
  private async _collectOutputs(
    jobDir: string,
    artifacts: IJobArtifacts
  ): Promise<void> {
    try {
      await collectOutputs({
        jobDir,
        jobId: this.job.id,
        artifacts,
        limits: this._options.outputLimits ?? DEFAULT_OUTPUT_LIMITS,
        partial: this._forcedOutcome !== undefined,
        log: (stream, text) => this._writer.log(stream, text)
      });
    } catch (error) {
      this._writer.log(
        'stderr',
        `jaxlab: the files of outputs/ could not be kept: ${String(error)}\n`
      );
    }
  }

  private _internal(error: unknown): JobOutcome {
    if (this._forcedOutcome) {
      return this._forcedOutcome;
    }
    this._options.log(`job ${this.job.id}: internal error: ${String(error)}`, {
      event: 'job:internal-error',
      level: 'error'
    });
    const failure = failureOf('gatewayError', {
      error: error instanceof Error ? error.message : String(error)
    });
    // The error's own hint says more than the generic one.
    if (isJaxLabError(error)) failure.hint = error.hint.slice(0, 1000);
    return ended(failure);
  }

  private _abort = new AbortController();
  private _diskTimer: NodeJS.Timeout | undefined;
  private _cancelling = false;
  private _handingBack = false;
  private _environment: IRequirementsEnvironment | null = null;
  private _forced = deferred<JobOutcome>();
  private _forcedOutcome: JobOutcome | undefined;
  private _graceTimer: NodeJS.Timeout | undefined;
  private _kernel: IJobKernel | undefined;
  private _kernelStart: Promise<IJobKernel> | undefined;
  private _metrics: Metrics | undefined;
  private _reported: Metrics | undefined;
  private _cacheView: ICompileCacheView | undefined;
  private _callReturned = false;
  private _options: JobExecution.IOptions;
  private _outcome: JobOutcome | undefined;
  private _renewing = false;
  private _steps: StepSeriesWriter;
  private _timeLimitTimer: NodeJS.Timeout | undefined;
  private _writer: JobEventWriter;
}

/** Statics and option types of {@link JobExecution}. */
export namespace JobExecution {
  export interface IOptions {
    job: Job;
    /** Where the lease is renewed (and cancel requests are read). */
    queue: IJobQueue;
    /** Where the job's events and manifest go. */
    events: IJobEvents;
    /** Where the job's step series go. */
    series: ISeries;
    kernels: IJobKernels;
    envBuilder: EnvironmentBuilder;
    hostId: string;
    /**
     * The devices and environment of the job's slots, and their device
     * facts as the gateway's own probe found them: those of its metrics and
     * manifest. What the kernel says it saw is recorded apart, as
     * `kernelReportedDevice`.
     */
    grant?: ISlotGrant;
    /** What the gateway's probe found (versions, driver) for the manifest. */
    probe?: IDeviceProbe;
    /** Per-owner, per-project JAX compile caches (none: no cache). */
    compileCache?: CompileCache;
    /** Warm kernels of the host's slots, for jobs without requirements. */
    warmKernels?: WarmKernels;
    /** Other live hosts offering an accelerator, for DEVICE_UNAVAILABLE hints. */
    hostsWith?: (accelerator: Accelerator) => Promise<string[]>;
    hostPython?: IHostPython;
    gatewayVersion: string;
    sandboxed: boolean;
    leaseMs: number;
    renewEveryMs: number;
    /** Time after a cancel's interrupt before the kernel is killed. */
    cancelGraceMs: number;
    defaultTimeLimitMs: number;
    /** Where the run's outputs/ are kept (none: they are not collected). */
    artifacts?: IJobArtifacts;
    /** Limits of that collection (default {@link DEFAULT_OUTPUT_LIMITS}). */
    outputLimits?: IOutputLimits;
    /** Log bytes stored per job; output past it is discarded with a notice. */
    maxLogBytes?: number;
    log: LogSink;
  }
}

/** The outcome of a job that ends with `failure`. */
function ended(failure: Failure): Extract<JobOutcome, { failure: Failure }> {
  return {
    status: failure.reason === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
    failure
  };
}

/** A REQUIREMENTS_REJECTED error (the validator's or pip's) as the job's end. */
function rejected(error: {
  message: string;
  hint: string;
}): Extract<JobOutcome, { failure: Failure }> {
  return ended({
    reason: 'REQUIREMENTS_REJECTED',
    message: error.message.slice(0, 4000),
    hint: error.hint.slice(0, 1000)
  });
}

function formatMiB(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`;
}

/** How often a running job's folder is checked against its quota. */
const DISK_CHECK_EVERY_MS = 500;

/**
 * How long a handed-back call has to answer its interrupt (the reply, the
 * output still in flight and its metrics) before the job goes back anyway.
 */
const HAND_BACK_GRACE_MS = 3000;

/** JAX's versions for the manifest: the probe's (inside the sandbox), else the venv's. */
function jaxVersions(
  probe: IDeviceProbe | undefined,
  host: IHostPython | undefined
): Pick<RunManifest, 'jax' | 'jaxlib' | 'jaxPlugins'> {
  const packages = probe?.packages.jax
    ? probe.packages
    : (host?.packages ?? {});
  const versions: Pick<RunManifest, 'jax' | 'jaxlib' | 'jaxPlugins'> = {};
  const plugins: Record<string, string> = {};
  for (const [name, version] of Object.entries(packages)) {
    if (name === 'jax') versions.jax = version;
    else if (name === 'jaxlib') versions.jaxlib = version;
    else if (/^(jax-cuda|jax-rocm|jax-tpu|libtpu)/.test(name)) {
      plugins[name] = version;
    }
  }
  if (Object.keys(plugins).length) versions.jaxPlugins = plugins;
  return versions;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>(r => (resolve = r));
  return { promise, resolve };
}
