import type { Accelerator, Job } from '@jaxlab/schemas';
import type {
  IJobArtifacts,
  IJobEvents,
  IJobQueue,
  ISeries
} from '@jaxlab/store';

import type { CompileCache } from '../cache/compile-cache.js';
import type { IDeviceProbe } from '../host/device-probe.js';
import type { IHostPython } from '../host/host-python.js';
import type { IOutputLimits } from '../outputs/index.js';
import type { EnvironmentBuilder } from '../requirements/environment-builder.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import type { IJobKernels } from './job-kernels.js';
import type { WarmKernels } from './warm-kernels.js';
import type { LogSink } from '../../log/gateway-log.js';

/** Options of a {@link JobExecution} (`JobExecution.IOptions`). */
export interface IJobExecutionOptions {
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
  /** Limits of that collection (default `DEFAULT_OUTPUT_LIMITS`). */
  outputLimits?: IOutputLimits;
  /** Log bytes stored per job; output past it is discarded with a notice. */
  maxLogBytes?: number;
  log: LogSink;
}
