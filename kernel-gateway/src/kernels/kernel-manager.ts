import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { labPaths } from '@jaxlab/paths';
import {
  DEFAULT_DESIGNATED_FUNCTIONS,
  JaxLabError,
  KERNEL_SPEC_NAME
} from '@jaxlab/schemas';

import { removeJobFolder } from '../sandbox/job-folder.js';
import type { IKernelLauncher } from '../sandbox/kernel-launcher.js';
import { DEFAULT_RESOURCE_LIMITS } from '../sandbox/sandbox-policy.js';
import { createConnectionInfo } from '../wire/connection-info.js';
import { KernelEventSignal } from './kernel-events.js';
import { removeKernelFiles } from './kernel-files.js';
import { KernelSession } from './kernel-session.js';
import type { IKernelModel } from './kernel-session.js';
import type { IKernelSpecModel } from './kernel-spec.js';
import { loadKernelSpec } from './kernel-spec.js';
import { MemoryBudget } from './memory-budget.js';
import type { ReplayBuffer } from './replay-buffer.js';
import type { ILogFields, LogSink } from '../log/gateway-log.js';
import type { ByteRateLimiter } from '../wire/byte-rate-limiter.js';

/** Kernel ids are UUIDs; only folders named like one are ever reaped. */
const KERNEL_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Share of physical memory kernels may be given together, by default. */
export const DEFAULT_MEMORY_BUDGET_SHARE = 0.75;

/** Name of the connection file inside a kernel folder. */
export const CONNECTION_FILE_NAME = 'connection.json';

/**
 * Owns every kernel of a gateway: creates kernel folders and connection
 * files, launches kernels through the injected launcher, keeps an optional
 * pool of pre-started kernels, culls idle ones and tears everything down.
 *
 * @example
 * ```ts
 * const kernels = new KernelManager({ launcher: createKernelLauncher(), dataDir });
 * const kernel = await kernels.startKernel({ files: { 'main.py': code } });
 * const reply = await kernel.execute('main()', { onIOPub: msg => console.log(msg) });
 * await kernels.dispose();
 * ```
 */
export class KernelManager {
  constructor(options: KernelManager.IOptions) {
    this._options = options;
    this._memory = new MemoryBudget(
      options.memoryBudgetBytes ??
        Math.floor(os.totalmem() * DEFAULT_MEMORY_BUDGET_SHARE)
    );
    this._kernelsDir = path.join(options.dataDir, 'kernels');
    if (options.idleCullMs && options.idleCullMs > 0) {
      const every = Math.max(50, Math.min(options.idleCullMs / 2, 30_000));
      this._cullTimer = setInterval(() => void this._cullIdle(), every);
      this._cullTimer.unref();
    }
    this.leftoversReaped = this._reapLeftovers();
    if ((options.prespawn ?? 0) > 0) this._fillPool();
  }

  /**
   * Resolves, once after construction, with the ids of kernels an earlier
   * gateway run over the same data folder left behind (it died without
   * tearing them down): their processes were killed, their cgroups and
   * folders removed. Kernel starts wait for it. Never rejects.
   */
  readonly leftoversReaped: Promise<string[]>;

  /** Lifecycle events of every kernel. */
  readonly kernelChanged = new KernelEventSignal();

  /** The launcher's confinement: false only with --unsafe-no-sandbox. */
  get isSandboxed(): boolean {
    return this._options.launcher.isSandboxed;
  }

  /** Number of started kernels waiting in the prespawn pool. */
  get poolSize(): number {
    return this._pool.length;
  }

  /** The `jaxlab` kernel spec (read from the harness once, then cached). */
  kernelSpec(): Promise<IKernelSpecModel> {
    this._spec ??= loadKernelSpec({
      python: this._options.python ?? labPaths().python,
      isSandboxed: this.isSandboxed,
      log: this._options.log
    });
    return this._spec;
  }

  /**
   * Starts a restricted kernel and resolves once it answered
   * kernel_info_request. Served from the prespawn pool when one waits and
   * the request needs nothing a pooled kernel lacks (default designated
   * functions, no limits, requirements env or extra imports).
   *
   * @throws JaxLabError `NOT_FOUND` (unknown spec name),
   *   `KERNEL_LIMIT_REACHED`, `KERNEL_START_FAILED`, `SANDBOX_UNAVAILABLE`,
   *   `UNSAFE_PATH` (a path other than main.py, requirements.txt, README.md
   *   or a project file such as `utils/data.py`).
   */
  async startKernel(
    options: KernelManager.IStartOptions = {}
  ): Promise<KernelSession> {
    this._assertNotDisposed();
    const name = options.name ?? KERNEL_SPEC_NAME;
    if (name !== KERNEL_SPEC_NAME) {
      throw new JaxLabError('NOT_FOUND', `No such kernel spec: ${name}`, {
        hint: `This gateway runs only the '${KERNEL_SPEC_NAME}' kernel.`
      });
    }
    const max = this._options.maxKernels;
    if (max !== undefined && max > 0 && this._kernels.size >= max) {
      throw new JaxLabError(
        'KERNEL_LIMIT_REACHED',
        `A maximum of ${max} kernels are allowed`,
        {
          hint: 'Shut down a kernel you no longer use, then try again.'
        }
      );
    }
    const startedMs = Date.now();
    const pooled = this._isPoolable(options) ? this._pool.shift() : undefined;
    if (pooled) {
      this._kernels.set(pooled.id, pooled);
      try {
        await pooled.writeFiles(options.files ?? {});
      } catch (error) {
        await this.shutdownKernel(pooled.id);
        throw error;
      }
      this._fillPool();
      this._started(pooled, startedMs, true);
      return pooled;
    }
    const id = await this._admit(this._memoryOf(options));
    const session = await this._createSession(id, options, true);
    if (options.forJob) this._jobKernels.add(id);
    this._started(session, startedMs, false);
    return session;
  }

  /**
   * Bytes of kernel memory limits the host's budget has left: what a
   * kernel (or job) of `limits` needs must fit, or it is refused (queued).
   */
  get memoryAvailableBytes(): number {
    return this._memory.availableBytes;
  }

  /**
   * Whether `count` kernels with `limits` (default: the launcher's) fit
   * the memory budget now.
   */
  hasMemoryFor(
    limits?: Partial<IKernelLauncher.IResourceLimits>,
    count = 1
  ): boolean {
    return this._memory.fits(this._memoryOf({ limits }), count);
  }

  /** The running kernel `kernelId`, if any (pooled kernels are not listed). */
  get(kernelId: string): KernelSession | undefined {
    return this._kernels.get(kernelId);
  }

  /** Whether `kernelId` was started for a job (its runner owns it). */
  isJobKernel(kernelId: string): boolean {
    return this._jobKernels.has(kernelId);
  }

  /** Models of every running kernel. */
  list(): IKernelModel[] {
    return [...this._kernels.values()].map(kernel => kernel.model);
  }

  /**
   * Writes files (path → text, folders made as needed) into a kernel's
   * folder, never leaving it whatever the kernel does meanwhile. The
   * kernel re-reads its project before its next call.
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`, `UNSAFE_PATH`, `PAYLOAD_TOO_LARGE`.
   */
  async writeFiles(
    kernelId: string,
    files: Record<string, string>
  ): Promise<void> {
    await this._require(kernelId).writeFiles(files);
  }

  /**
   * Removes files from a kernel's folder (a missing one is fine), never
   * following a link.
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`, `UNSAFE_PATH`.
   */
  async removeFiles(kernelId: string, paths: readonly string[]): Promise<void> {
    await removeKernelFiles(this._require(kernelId).jobDir, paths);
  }

  /**
   * Interrupts the kernel's running call (SIGINT).
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`.
   */
  async interruptKernel(kernelId: string): Promise<void> {
    this._require(kernelId).interrupt();
  }

  /**
   * Restarts a kernel in place (same id and folder).
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`, `KERNEL_START_FAILED`.
   */
  async restartKernel(kernelId: string): Promise<void> {
    const kernel = this._require(kernelId);
    try {
      await kernel.restart();
    } catch (error) {
      this._log(
        `kernel ${kernelId} failed to restart: ${(error as Error).message.split('\n')[0]}`,
        { event: 'kernel:restart-failed', level: 'error', kernelId }
      );
      throw error;
    }
    this._log(`kernel ${kernelId} restarted`, {
      event: 'kernel:restarted',
      kernelId
    });
    this.kernelChanged.emit({ type: 'kernel:restarted', kernelId });
  }

  /**
   * Shuts a kernel down: asks it to exit (unless `now`), kills and reaps its
   * whole sandbox, lets `beforeRemove` read the folder (no process of the
   * kernel is left to race it; its errors are logged) and removes the folder.
   *
   * @throws JaxLabError `KERNEL_NOT_FOUND`.
   */
  async shutdownKernel(
    kernelId: string,
    options: KernelManager.IShutdownOptions = {}
  ): Promise<void> {
    const kernel = this._require(kernelId);
    this._kernels.delete(kernelId);
    this._jobKernels.delete(kernelId);
    await this._destroy(kernel, options);
    this._log(`kernel ${kernelId} stopped`, {
      event: 'kernel:shutdown',
      kernelId
    });
    this.kernelChanged.emit({ type: 'kernel:shutdown', kernelId });
  }

  /** Shuts every kernel (and the pool) down. Idempotent. */
  async dispose(): Promise<void> {
    if (this._isDisposed) return;
    this._isDisposed = true;
    if (this._cullTimer) clearInterval(this._cullTimer);
    await this.leftoversReaped;
    await this._poolFilling;
    const all = [...this._kernels.values(), ...this._pool];
    this._kernels.clear();
    this._pool = [];
    await Promise.all(all.map(kernel => this._destroy(kernel)));
    // Kernels shut down just before (culled, deleted) may still be going.
    await Promise.all(this._destroying);
  }

  /** Starts kernel `id`, whose memory is held already ({@link _admit}). */
  private async _createSession(
    id: string,
    options: KernelManager.IStartOptions,
    isCounted: boolean
  ): Promise<KernelSession> {
    const jobDir = path.join(this._kernelsDir, id);
    try {
      await this.leftoversReaped;
      await fs.mkdir(this._kernelsDir, { recursive: true, mode: 0o755 });
      await fs.mkdir(jobDir, { mode: 0o700 });
      await this._options.launcher.prepareJobDir?.(jobDir, options.limits);
    } catch (error) {
      this._memory.release(id);
      await removeJobFolder(jobDir);
      throw new JaxLabError(
        'KERNEL_START_FAILED',
        `Could not make the folder of kernel ${id} (with its disk quota): ${String(error)}`,
        {
          cause: error,
          hint: 'Check the gateway log; docs/sandbox.md lists what the sandbox needs.'
        }
      );
    }
    const info = createConnectionInfo(jobDir, KERNEL_SPEC_NAME);
    const connectionFile = path.join(jobDir, CONNECTION_FILE_NAME);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (key.startsWith('KERNEL_') && typeof value === 'string')
        env[key] = value;
    }
    env.JAXLAB_DESIGNATED_FUNCTIONS = (
      options.designatedFunctions?.length
        ? options.designatedFunctions
        : DEFAULT_DESIGNATED_FUNCTIONS
    ).join(',');
    if (options.extraImports?.length)
      env.JAXLAB_EXTRA_IMPORTS = options.extraImports.join(',');
    const session = new KernelSession({
      id,
      name: KERNEL_SPEC_NAME,
      jobDir,
      info,
      launcher: this._options.launcher,
      launchOptions: {
        kernelId: id,
        jobDir,
        connectionFile,
        env,
        limits: options.limits,
        requirementsEnvDir: options.requirementsEnvDir,
        devices: options.devices,
        runtimeEnv: options.runtimeEnv,
        writableBinds: options.writableBinds
      },
      startTimeoutMs: this._options.startTimeoutMs ?? 60_000,
      heartbeatIntervalMs: this._options.heartbeatIntervalMs,
      replay: this._options.replay,
      iopubRateLimit: this._options.iopubRateLimit,
      log: (line, fields) => this._log(line, { kernelId: id, ...fields }),
      onEvent: event => this.kernelChanged.emit(event),
      onClientShutdown: async restart => {
        try {
          if (restart) await this.restartKernel(id);
          else if (this._kernels.has(id)) await this.shutdownKernel(id);
        } catch (error) {
          this._log(`kernel ${id}: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    });
    if (isCounted) this._kernels.set(id, session);
    try {
      // The kernel binds its sockets where it sees its folder; the gateway
      // connects to the same files at their host paths.
      const inside = this._options.launcher.jobDirInside ?? jobDir;
      await writeConnectionFile(connectionFile, {
        ...info,
        ip: path.join(inside, path.basename(info.ip))
      });
      await session.writeFiles(options.files ?? {});
      await session.start();
      if (this._isDisposed)
        throw new JaxLabError(
          'KERNEL_START_FAILED',
          'The gateway is shutting down'
        );
    } catch (error) {
      this._kernels.delete(id);
      this._memory.release(id);
      await session.shutdown().catch(() => undefined);
      await removeJobFolder(jobDir);
      this._log(`kernel ${id} failed to start: ${(error as Error).message}`, {
        event: 'kernel:start-failed',
        level: 'error',
        kernelId: id
      });
      throw error;
    }
    return session;
  }

  /**
   * Reaps what an earlier run left in `<dataDir>/kernels`: every kernel
   * folder (named by a kernel id) that no kernel of this manager owns. Only
   * those ids are touched, so other gateways' kernels on the same host
   * (other data folders) are left alone.
   */
  private async _reapLeftovers(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this._kernelsDir);
    } catch {
      return []; // no kernels folder yet
    }
    const reaped: string[] = [];
    for (const id of entries) {
      if (
        !KERNEL_ID.test(id) ||
        this._kernels.has(id) ||
        this._pool.some(k => k.id === id)
      )
        continue;
      const jobDir = path.join(this._kernelsDir, id);
      try {
        const stat = await fs.lstat(jobDir);
        if (!stat.isDirectory()) continue;
        const killed =
          (await this._options.launcher.reapLeftover?.(id, jobDir)) ?? 0;
        await removeJobFolder(jobDir);
        reaped.push(id);
        this._log(
          `kernel ${id} of an earlier run reaped (${killed} leftover process${killed === 1 ? '' : 'es'} killed, cgroups and folder removed)`
        );
      } catch (error) {
        this._log(
          `kernel ${id} of an earlier run could not be reaped: ${String(error)}`
        );
      }
    }
    return reaped;
  }

  private _started(
    session: KernelSession,
    startedMs: number,
    isFromPool: boolean
  ): void {
    const how = this.isSandboxed ? 'sandboxed' : 'UNSANDBOXED';
    this._log(
      `kernel ${session.id} started (${how}${isFromPool ? ', from the prespawn pool' : ''}) in ${Date.now() - startedMs} ms`,
      {
        event: 'kernel:started',
        level: this.isSandboxed ? 'info' : 'warn',
        kernelId: session.id
      }
    );
    this.kernelChanged.emit({
      type: 'kernel:started',
      kernelId: session.id,
      isFromPool
    });
  }

  private _isPoolable(options: KernelManager.IStartOptions): boolean {
    const fns = options.designatedFunctions;
    const isDefault =
      !fns?.length ||
      (fns.length === DEFAULT_DESIGNATED_FUNCTIONS.length &&
        fns.every((f, i) => f === DEFAULT_DESIGNATED_FUNCTIONS[i]));
    return (
      isDefault &&
      !options.limits &&
      !options.requirementsEnvDir &&
      !options.extraImports?.length &&
      !options.devices &&
      !options.runtimeEnv &&
      !options.writableBinds
    );
  }

  private _fillPool(): void {
    if (this._isPoolFilling || this._isDisposed) return;
    this._isPoolFilling = true;
    this._poolFilling = (async () => {
      try {
        while (
          !this._isDisposed &&
          this._pool.length < (this._options.prespawn ?? 0)
        ) {
          // A pooled kernel never takes memory a real start could use.
          if (!this.hasMemoryFor()) return;
          const id = this._memory.hold(this._memoryOf({}));
          let session: KernelSession;
          try {
            session = await this._createSession(id, {}, false);
          } catch {
            // Logged already; try again later rather than spin.
            setTimeout(() => this._fillPool(), 10_000).unref();
            return;
          }
          if (this._isDisposed) {
            await this._destroy(session);
            return;
          }
          this._pool.push(session);
          void session.exited.then(() => {
            this._pool = this._pool.filter(k => k !== session);
          });
        }
      } finally {
        this._isPoolFilling = false;
      }
    })();
  }

  private async _cullIdle(): Promise<void> {
    const idleMs = this._options.idleCullMs!;
    const now = Date.now();
    for (const kernel of [...this._kernels.values()]) {
      const idle = now - kernel.lastActivityMs;
      if (
        !this._jobKernels.has(kernel.id) &&
        kernel.connections === 0 &&
        kernel.executionState !== 'busy' &&
        idle > idleMs
      ) {
        this._log(
          `kernel ${kernel.id} culled after ${Math.round(idle / 1000)} s idle`,
          { event: 'kernel:culled', kernelId: kernel.id }
        );
        this.kernelChanged.emit({
          type: 'kernel:culled',
          kernelId: kernel.id,
          idleMs: idle
        });
        await this.shutdownKernel(kernel.id).catch(() => undefined);
      }
    }
  }

  private async _destroy(
    kernel: KernelSession,
    options: KernelManager.IShutdownOptions = {}
  ): Promise<void> {
    const destroying = (async () => {
      await kernel
        .shutdown(options)
        .catch(error =>
          this._log(`kernel ${kernel.id}: shutdown: ${String(error)}`)
        );
      this._memory.release(kernel.id);
      await options
        .beforeRemove?.(kernel.jobDir)
        .catch(error =>
          this._log(`kernel ${kernel.id}: before removal: ${String(error)}`)
        );
      // Off the event loop: a folder may hold hundreds of thousands of files.
      await removeJobFolder(kernel.jobDir);
    })();
    this._destroying.add(destroying);
    try {
      await destroying;
    } finally {
      this._destroying.delete(destroying);
    }
  }

  private _memoryOf(options: KernelManager.IStartOptions): number {
    return (
      options.limits?.memoryMaxBytes ??
      this._options.launcher.limits?.memoryMaxBytes ??
      DEFAULT_RESOURCE_LIMITS.memoryMaxBytes
    );
  }

  /**
   * Makes room for a kernel needing `bytes` of memory limit and holds it:
   * pooled kernels give way first; beyond them the start is refused,
   * saying why. Resolves with the new kernel's id.
   *
   * @throws JaxLabError `KERNEL_LIMIT_REACHED`.
   */
  private async _admit(bytes: number): Promise<string> {
    while (!this._memory.fits(bytes) && this._pool.length > 0) {
      await this._destroy(this._pool.pop()!);
    }
    return this._memory.hold(bytes);
  }

  private _require(kernelId: string): KernelSession {
    const kernel = this._kernels.get(kernelId);
    if (!kernel) {
      throw new JaxLabError(
        'KERNEL_NOT_FOUND',
        `Kernel does not exist: ${kernelId}`,
        {
          hint: 'List running kernels with GET /api/kernels.'
        }
      );
    }
    return kernel;
  }

  private _assertNotDisposed(): void {
    if (this._isDisposed) {
      throw new JaxLabError(
        'KERNEL_START_FAILED',
        'The kernel manager has been disposed'
      );
    }
  }

  private _log(line: string, fields?: ILogFields): void {
    this._options.log?.(line, fields);
  }

  private readonly _options: KernelManager.IOptions;
  private readonly _kernelsDir: string;
  private readonly _kernels = new Map<string, KernelSession>();
  private readonly _jobKernels = new Set<string>();
  private _pool: KernelSession[] = [];
  private readonly _destroying = new Set<Promise<void>>();
  private readonly _memory: MemoryBudget;
  private _poolFilling: Promise<void> = Promise.resolve();
  private _isPoolFilling = false;
  private _cullTimer: NodeJS.Timeout | undefined;
  private _spec: Promise<IKernelSpecModel> | undefined;
  private _isDisposed = false;
}

/** Statics of {@link KernelManager}. */
export namespace KernelManager {
  /** Options of {@link KernelManager.shutdownKernel}. */
  export interface IShutdownOptions {
    /** Skip asking the kernel to exit first. */
    now?: boolean;
    /**
     * Reads the kernel's folder (its host path) after the sandbox is gone
     * and before the folder is removed, e.g. to collect the run's outputs.
     */
    beforeRemove?: (jobDir: string) => Promise<void>;
  }

  /** Options of a {@link KernelManager}. */
  export interface IOptions {
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

  /** Options of {@link KernelManager.startKernel}. */
  export interface IStartOptions {
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
     * {@link KernelManager.isJobKernel}) and it is never culled as idle.
     */
    forJob?: boolean;
  }
}

/** Writes the connection file (0600, never following a symlink). */
async function writeConnectionFile(file: string, info: object): Promise<void> {
  const handle = await fs.open(
    file,
    constants.O_WRONLY |
      constants.O_CREAT |
      constants.O_EXCL |
      constants.O_NOFOLLOW,
    0o600
  );
  try {
    await handle.writeFile(JSON.stringify(info, null, 2));
  } finally {
    await handle.close();
  }
}
