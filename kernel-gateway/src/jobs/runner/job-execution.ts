import type { KernelMessage } from '@jupyterlab/services';

import type { Failure, Job, Metrics } from '@jaxlab/schemas';
import { failureOf, isJaxLabError, KERNEL_ERROR_NAMES } from '@jaxlab/schemas';

import type { IKernelProcess } from '../../sandbox/kernel-launcher.js';
import type { IRequirementsEnvironment } from '../requirements/environment-builder.js';
import { StepSeriesWriter } from '../metrics/step-series-writer.js';
import {
  deviceNotInSandboxFailure,
  deviceNotSeenFailure,
  diskQuotaFailure,
  failureOfCallError,
  gatewayErrorFailure,
  timeLimitFailure
} from './call-failures.js';
import { CallOutput } from './call-output.js';
import { ForcedEnd } from './forced-end.js';
import type { IJobExecutionOptions } from './job-execution-options.js';
import type { IJobKernel } from './job-kernels.js';
import { ended } from './job-outcome.js';
import type { JobOutcome } from './job-outcome.js';
import { failureOfKernelExit } from './kernel-exit-failure.js';
import { JobEventWriter } from './job-event-writer.js';
import { prepareEnvironment } from './job-environment.js';
import { JobKernelHolder } from './job-kernel-holder.js';
import { JobLease } from './job-lease.js';
import { renderDesignatedCall } from './python-call.js';
import { runManifestOf } from './run-manifest.js';

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
          this._forced.lose();
        }
      }
    });
    this._lease = new JobLease({
      ...options,
      isEnded: () => this._outcome !== undefined,
      onLost: () => this._forced.lose(),
      onCancelRequested: () => {
        if (this._cancelling) return;
        this._cancelling = true;
        this._interruptThenForce(
          ended(failureOf('cancelled')),
          options.cancelGraceMs
        );
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
    return !this._holder?.kernel && !this._outcome && !this._forced.outcome;
  }

  /** Runs the job to its end. Never throws. */
  async run(): Promise<JobOutcome> {
    this._lease.start();
    let outcome: JobOutcome;
    try {
      outcome = await Promise.race([
        this._execute().catch(error => this._internal(error)),
        this._forced.promise
      ]);
    } catch (error) {
      outcome = this._internal(error);
    } finally {
      this._lease.stop();
      clearInterval(this._diskTimer);
      clearTimeout(this._timeLimitTimer);
    }
    // A forced end (cancel, timeout, lost lease) may have won the race while
    // the kernel was still starting or running: stop both.
    this._forced.dispose();
    this._outcome = outcome;
    // The kernel goes first: its outputs/ are collected once no process of
    // it is left, and listed before the run is seen to end.
    await this._holder?.shutdown(
      outcome.status !== 'lost',
      () => this._forced.outcome !== undefined
    );
    // Its compile-cache entries too: a run submitted once this one is seen
    // to end finds them.
    await this._holder?.closeCompileCache(this._callReturned);
    try {
      await this._steps.flush();
      this._steps.dispose();
      if (outcome.status === 'CANCELLED' && this._cancelling) {
        this._writer.log('stdout', '[jaxlab] Cancelled on request.\n');
      }
      await this._writer.finish();
      if (outcome.status === 'requeued') {
        await this._lease.handBack(this._writer);
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
    this._forced.force(ended(failure));
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
    const prepared = await prepareEnvironment(job.requirements, {
      envBuilder: options.envBuilder,
      forced: this._forced,
      logLine: this._logLine
    });
    if ('outcome' in prepared) {
      return prepared.outcome;
    }
    const environment = (this._environment = prepared.environment);
    if (this._forced.outcome) {
      return this._forced.outcome;
    }

    // The kernel (see JobKernelHolder). The harness checks the project and
    // runs it only for the call.
    await this._writer.append({ type: 'job:phase', phase: 'kernel' });
    const timeLimitMs = job.timeLimitMs ?? options.defaultTimeLimitMs;
    this._holder = new JobKernelHolder({
      ...options,
      grant,
      logLine: this._logLine
    });
    let kernel: IJobKernel;
    try {
      kernel = await this._holder.start(environment, timeLimitMs);
    } catch (error) {
      if (this._forced.outcome) {
        return this._forced.outcome;
      }
      throw error;
    }
    if (this._forced.outcome) {
      return this._forced.outcome;
    }

    const call = renderDesignatedCall(job.entrypoint, job.args);
    await this._writer.append({
      type: 'job:phase',
      phase: 'call',
      detail: call.slice(0, 200)
    });
    await this._writer.append({ type: 'job:status', status: 'RUNNING' });
    this._timeLimitTimer = setTimeout(
      () =>
        this._interruptThenForce(ended(timeLimitFailure(timeLimitMs)), 1000),
      timeLimitMs
    );
    this._diskTimer = setInterval(
      () => void this._checkDiskQuota(),
      DISK_CHECK_EVERY_MS
    );

    const output = new CallOutput({
      writer: this._writer,
      steps: this._steps,
      isInterruptExpected: () => this._cancelling || this._handingBack
    });
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
        onIOPub: msg => output.onIOPub(msg)
      });
    } catch (error) {
      // The kernel died: the sandbox's reason decides.
      const exit = await Promise.race([
        kernel.exited,
        delay(2000).then(() => undefined)
      ]);
      return this._forced.outcome ?? this._outcomeOfExit(exit, error);
    }
    // Output may still be in flight on iopub after the shell reply.
    await Promise.race([output.idle, delay(1000)]);
    this._callReturned = true;
    const metrics = await output.recordMetrics(kernel, grant.device);
    this._kernelReportedDevice = metrics?.kernelReportedDevice;
    if (this._forced.outcome && !(this._handingBack && reply.status === 'ok')) {
      return this._forced.outcome;
    }
    if (reply.status === 'ok') {
      const notSeen = deviceNotSeenFailure(job, this._kernelReportedDevice);
      return notSeen ? ended(notSeen) : { status: 'COMPLETED' };
    }
    if (reply.status === 'error') {
      // An error from a full folder (ENOSPC, EDQUOT) is the quota's doing.
      const full = await this._holder?.fullFolder();
      if (full) return ended(diskQuotaFailure(full));
      return await this._outcomeOfError({
        ename: reply.ename,
        evalue: reply.evalue,
        traceback: output.errorContent?.traceback ?? reply.traceback
      });
    }
    return ended(failureOf('kernelAborted'));
  }

  private async _outcomeOfError(error: {
    ename: string;
    evalue: string;
    traceback?: string[];
  }): Promise<JobOutcome> {
    switch (error.ename) {
      case KERNEL_ERROR_NAMES.deviceUnavailable: {
        // The kernel's device check failed: nothing of main.py ran.
        const { job } = this;
        const others = (await this._options.hostsWith?.(job.accelerator)) ?? [];
        const { hostId } = this._options;
        return ended(
          deviceNotInSandboxFailure(job, hostId, others, error.evalue)
        );
      }
      case 'KeyboardInterrupt':
        return this._forced.outcome ?? ended(failureOf('interrupted'));
    }
    return ended(failureOfCallError(error, this.job));
  }

  private _outcomeOfExit(
    exit: IKernelProcess.IExit | undefined,
    cause: unknown
  ): JobOutcome {
    const failure = failureOfKernelExit(exit, this.job.entrypoint, cause);
    return failure === 'wall-clock'
      ? ended(
          timeLimitFailure(
            this.job.timeLimitMs ?? this._options.defaultTimeLimitMs
          )
        )
      : ended(failure);
  }

  /** Ends the job DISK_QUOTA as soon as its folder is full. */
  private async _checkDiskQuota(): Promise<void> {
    const full = await this._holder?.fullFolder();
    if (full) this._interruptThenForce(ended(diskQuotaFailure(full)), 1000);
  }

  /** Interrupts the call, if it runs, and forces `outcome` after `graceMs`. */
  private _interruptThenForce(outcome: JobOutcome, graceMs: number): void {
    const kernel = this._holder?.kernel;
    this._forced.interruptThenForce(
      outcome,
      graceMs,
      kernel
        ? () =>
            void this._options.kernels
              .interruptKernel(kernel.id)
              .catch(() => undefined)
        : undefined
    );
  }

  private async _recordManifest(): Promise<void> {
    const options = this._options;
    const manifest = runManifestOf({
      ...options,
      environment: this._environment,
      kernelReportedDevice: this._kernelReportedDevice
    });
    try {
      await options.events.setManifest(this.job.id, manifest);
    } catch (error) {
      options.log(
        `job ${this.job.id}: cannot record the run manifest: ${String(error)}`
      );
    }
  }

  private _internal(error: unknown): JobOutcome {
    if (this._forced.outcome) {
      return this._forced.outcome;
    }
    this._options.log(`job ${this.job.id}: internal error: ${String(error)}`, {
      event: 'job:internal-error',
      level: 'error'
    });
    return ended(gatewayErrorFailure(error));
  }

  private _diskTimer: NodeJS.Timeout | undefined;
  private _cancelling = false;
  private _handingBack = false;
  private _environment: IRequirementsEnvironment | null = null;
  private readonly _forced = new ForcedEnd();
  private _holder: JobKernelHolder | undefined;
  /** What the kernel said JAX saw, from its metrics. */
  private _kernelReportedDevice: Metrics['kernelReportedDevice'];
  private _callReturned = false;
  private _options: JobExecution.IOptions;
  private _outcome: JobOutcome | undefined;
  private _steps: StepSeriesWriter;
  private readonly _lease: JobLease;
  private _timeLimitTimer: NodeJS.Timeout | undefined;
  private _writer: JobEventWriter;
  private readonly _logLine = (stream: 'stdout' | 'stderr', text: string) =>
    this._writer.log(stream, text);
}

/** Statics and option types of {@link JobExecution}. */
export namespace JobExecution {
  /** Options of a {@link JobExecution} (see job-execution-options.ts). */
  export type IOptions = IJobExecutionOptions;
}

/** How often a running job's folder is checked against its quota. */
const DISK_CHECK_EVERY_MS = 500;

/**
 * How long a handed-back call has to answer its interrupt (the reply, the
 * output still in flight and its metrics) before the job goes back anyway.
 */
const HAND_BACK_GRACE_MS = 3000;

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
