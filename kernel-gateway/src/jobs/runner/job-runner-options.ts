import os from 'node:os';

import type { Job } from '@jaxlab/schemas';
import type {
  IHosts,
  IJobArtifacts,
  IJobEvents,
  IJobQueue,
  ISeries
} from '@jaxlab/store';

import type { CompileCache } from '../cache/compile-cache.js';
import type { IHostAccelerator } from '../host/accelerator-detector.js';
import type { IHostDevices } from '../host/host-devices.js';
import type { IOutputLimits } from '../outputs/index.js';
import type { EnvironmentBuilder } from '../requirements/environment-builder.js';
import { DEFAULT_MAX_LOG_BYTES } from './job-event-writer.js';
import type { IJobKernels } from './job-kernels.js';
import type { JobOutcome } from './job-outcome.js';
import type { LogSink } from '../../log/gateway-log.js';

// The options of a JobRunner and their defaults.

/** What a {@link JobRunner} reports as it goes (each optional). */
export interface IRunnerMetrics {
  /** A job was claimed by this host. */
  claimed?(job: Job): void;
  /** A job this host ran ended (or was handed back, or lost). */
  ended?(job: Job, outcome: JobOutcome): void;
  /** A store operation of the loop failed. */
  storeError?(operation: 'claim' | 'heartbeat' | 'expire'): void;
}

/** Options of a {@link JobRunner} (`JobRunner.IOptions`). */
export interface IJobRunnerOptions {
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
export type IResolvedJobRunnerOptions = Required<
  Omit<IJobRunnerOptions, OptionalOptions>
> &
  Pick<IJobRunnerOptions, OptionalOptions>;

type OptionalOptions =
  | 'accelerators'
  | 'hostDevices'
  | 'gpuJobsPerDevice'
  | 'compileCache'
  | 'artifacts'
  | 'outputLimits'
  | 'maxJobsPerOwner';

/** `options` with every default filled in (an option given as undefined keeps its default). */
export function resolveRunnerOptions(
  options: IJobRunnerOptions
): IResolvedJobRunnerOptions {
  return {
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
    ) as IJobRunnerOptions)
  } satisfies IResolvedJobRunnerOptions;
}
