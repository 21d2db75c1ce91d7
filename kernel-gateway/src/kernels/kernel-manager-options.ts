import type { IKernelLauncher } from '../sandbox/kernel-launcher.js';
import type { ByteRateLimiter } from '../wire/byte-rate-limiter.js';
import type { ReplayBuffer } from './replay-buffer.js';
import type { LogSink } from '../log/gateway-log.js';

/** Options of `KernelManager.shutdownKernel` (`KernelManager.IShutdownOptions`). */
export interface IShutdownKernelOptions {
  /** Skip asking the kernel to exit first. */
  now?: boolean;
  /**
   * Reads the kernel's folder (its host path) after the sandbox is gone
   * and before the folder is removed, e.g. to collect the run's outputs.
   */
  beforeRemove?: (jobDir: string) => Promise<void>;
}

/** Options of a `KernelManager` (`KernelManager.IOptions`). */
export interface IKernelManagerOptions {
  /** How kernels are started (BubblewrapLauncher, or unsandboxed). */
  launcher: IKernelLauncher;
  /** Kernels live in `<dataDir>/kernels/<kernelId>/`. */
  dataDir: string;
  /** Most kernels running at once (pooled ones not counted); unset: no limit. */
  maxKernels?: number;
  /** Python of the venv holding the harness (for the kernel spec). */
  python?: string;
  /** How long a kernel may take to answer kernel_info_request; default 60 s. */
  startTimeoutMs?: number;
  /** Shut down kernels idle (no client, not busy) this long; unset: never. */
  idleCullMs?: number;
  /** Pre-started kernels kept ready; default 0. */
  prespawn?: number;
  /** Heartbeat period; default 3 s (3 missed beats mean dead). */
  heartbeatIntervalMs?: number;
  /** Bounds of each kernel's replay buffer. */
  replay?: Partial<ReplayBuffer.IOptions>;
  /** Most iopub bytes read per second from one kernel (default IOPUB_RATE_LIMIT). */
  iopubRateLimit?: ByteRateLimiter.IOptions;
  /**
   * Memory all kernels may be given together: the sum of their memory
   * limits (running, pooled and starting) stays within it, and a start
   * that would pass it is refused. Default: 75% of physical memory.
   */
  memoryBudgetBytes?: number;
  /** Sink of one-line log messages. */
  log?: LogSink;
}

/** Options of `KernelManager.startKernel` (`KernelManager.IStartOptions`). */
export interface IStartKernelOptions {
  /** Kernel spec name; only 'jaxlab'. */
  name?: string;
  /** Environment; only KERNEL_-prefixed variables are kept. */
  env?: Record<string, string>;
  /** Files for the kernel folder by path: main.py, requirements.txt, README.md and project files (`utils/data.py`). */
  files?: Record<string, string>;
  /** Functions a cell may call; default main, train_step. */
  designatedFunctions?: string[];
  limits?: Partial<IKernelLauncher.IResourceLimits>;
  /** Read-only requirements environment of the job, if any. */
  requirementsEnvDir?: string;
  /** Extra importable module names (JAXLAB_EXTRA_IMPORTS). */
  extraImports?: string[];
  /** Accelerator device nodes of the kernel's slot. */
  devices?: IKernelLauncher.ILaunchOptions['devices'];
  /** Environment set by the gateway (devices, XLA, compile cache). */
  runtimeEnv?: Record<string, string>;
  /** Host folders bound writable besides the kernel folder. */
  writableBinds?: IKernelLauncher.ILaunchOptions['writableBinds'];
  /**
   * Started for a job (or the warm pool): its runner owns it, so the
   * Jupyter kernels API neither lists nor reaches it (see
   * `KernelManager.isJobKernel`) and it is never culled as idle.
   */
  forJob?: boolean;
}
