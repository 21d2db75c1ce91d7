import type { Readable } from 'node:stream';

import type { IBind } from './device-nodes.js';
import type { ISandboxDevices } from './sandbox-policy.js';

/**
 * The seam between the kernel manager and the sandbox: how a kernel process
 * is started and torn down. `BubblewrapLauncher` (the default) confines it;
 * `UnsandboxedLauncher` exists only behind the explicit
 * `--unsafe-no-sandbox` flag.
 */
export interface IKernelLauncher {
  /** Whether kernels started by this launcher are confined. */
  readonly isSandboxed: boolean;

  /**
   * Where a kernel sees its own folder (so the paths its connection file
   * must name); unset: at its host path.
   */
  readonly jobDirInside?: string;

  /** The limits a kernel gets where its start asks for none. */
  readonly limits?: Readonly<IKernelLauncher.IResourceLimits>;

  /**
   * Starts a kernel process. The process reads `connectionFile` (inside
   * `jobDir`) and binds its ZeroMQ `ipc` sockets inside `jobDir`.
   *
   * @throws JaxLabError `SANDBOX_UNAVAILABLE` or `KERNEL_START_FAILED`.
   */
  launch(options: IKernelLauncher.ILaunchOptions): Promise<IKernelProcess>;

  /**
   * Kills whatever kernel `kernelId` (folder `jobDir`) left behind from an
   * earlier gateway run that died without tearing it down (processes
   * still running, cgroup folders) and removes its cgroups. Leaves the
   * folder itself to the caller. Resolves with the number of processes
   * found. Optional: launchers without host-wide state need none.
   */
  reapLeftover?(kernelId: string, jobDir: string): Promise<number>;

  /**
   * Gives the empty folder `jobDir` the disk quota of the kernel's limits
   * (`diskMaxBytes`, `diskMaxFiles`), where this launcher enforces one.
   * Call before writing anything into it; remove the folder with
   * `removeJobFolder()`. Optional: without it the folder has no quota.
   *
   * @throws Error when the quota cannot be set up.
   */
  prepareJobDir?(
    jobDir: string,
    limits?: Partial<IKernelLauncher.IResourceLimits>
  ): Promise<void>;
}

/** A running kernel process, owned by whoever launched it. */
export interface IKernelProcess {
  /** Host pid of the outermost process (bwrap, or python unsandboxed). */
  readonly pid: number;
  /** Resolves once every process of the kernel is gone, with how it ended. */
  readonly exited: Promise<IKernelProcess.IExit>;
  /**
   * The kernel process's stdout, when the launcher captures it (the
   * kernel manager keeps its tail for start-failure messages). Whoever
   * launched the process must read it, or the kernel blocks once the pipe
   * is full.
   */
  readonly stdout?: Readable;
  /** The kernel process's stderr, when captured (see `stdout`). */
  readonly stderr?: Readable;
  /**
   * The most memory the whole sandbox held at once, in bytes, where the
   * launcher measures it (a cgroup); optional.
   */
  peakMemoryBytes?(): Promise<number | undefined>;
  /**
   * Lowers (`low`) or restores (`normal`) the CPU priority of every process
   * of the kernel, for as long as it floods its output; optional.
   */
  setCpuPriority?(priority: IKernelProcess.CpuPriority): Promise<void>;
  /** Sends a signal to the kernel's main process (SIGINT for interrupt). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Kills and reaps the whole sandbox (every process in it), then removes
   * any cgroup. Idempotent; resolves when nothing is left.
   */
  dispose(): Promise<void>;
}

export namespace IKernelLauncher {
  export interface ILaunchOptions {
    /** Kernel id, for names and logs. */
    kernelId: string;
    /** The kernel's own folder: the only writable place in the sandbox. */
    jobDir: string;
    /** Connection file path inside jobDir. */
    connectionFile: string;
    /** Extra environment (already filtered to what the kernel may see). */
    env?: Record<string, string>;
    /** Limits; unset fields take the launcher's configured defaults. */
    limits?: Partial<IResourceLimits>;
    /** Read-only virtual environment of the job's requirements, if any. */
    requirementsEnvDir?: string;
    /** Accelerator device nodes of the kernel's slot (default: none). */
    devices?: ISandboxDevices;
    /** Environment set by the gateway itself (devices, XLA, compile cache). */
    runtimeEnv?: Record<string, string>;
    /** Host folders bound writable besides the job folder. */
    writableBinds?: IBind[];
  }

  /** Resource limits of one kernel. */
  export interface IResourceLimits {
    memoryMaxBytes: number;
    pidsMax: number;
    cpuTimeLimitS: number;
    wallClockLimitMs: number;
    fileSizeMaxBytes: number;
    openFilesMax: number;
    tmpSizeMaxBytes: number;
    /**
     * CPU weight of the kernel's cgroup against other kernels, on cgroup
     * v2's scale (1-10000, 100 = an equal share; v1 cpu.shares = weight x
     * 1024 / 100). All kernels together are one group beside the gateway.
     */
    cpuWeight: number;
    /** Hard CPU quota in cores (cpu.max / CFS quota); 0: none. */
    cpuMaxCores: number;
    /** Bytes the kernel's folder may hold (its own size-limited filesystem). */
    diskMaxBytes: number;
    /** Files and folders the kernel's folder may hold. */
    diskMaxFiles: number;
  }
}

export namespace IKernelProcess {
  /** `low` while a kernel floods its output, else `normal`. */
  export type CpuPriority = 'low' | 'normal';

  export interface IExit {
    code: number | null;
    signal: NodeJS.Signals | null;
    /**
     * Why the sandbox ended it (a resource limit), or the gateway: it sent
     * a message over the frame limit (`message-size`) or stopped answering
     * its heartbeat (`heartbeat`).
     */
    limit?:
      | 'memory'
      | 'wall-clock'
      | 'cpu-time'
      | 'pids'
      | 'message-size'
      | 'heartbeat';
  }
}
