// Over 400 lines: one class whose methods share the books of every kernel
// (running, job, pooled, memory held); how one kernel starts and stops,
// its folder, the pool and idle culling live in their own modules.

import os from 'node:os';
import path from 'node:path';

import { labPaths } from '@jaxlab/paths';
import { JaxLabError } from '@jaxlab/schemas';

import type { IKernelLauncher } from '../sandbox/kernel-launcher.js';
import { DEFAULT_RESOURCE_LIMITS } from '../sandbox/sandbox-policy.js';
import { reapLeftoverKernels } from './kernel-folders.js';
import { KernelEventSignal } from './kernel-events.js';
import { removeKernelFiles } from './kernel-files.js';
import type {
  IKernelManagerOptions,
  IShutdownKernelOptions,
  IStartKernelOptions
} from './kernel-manager-options.js';
import type { KernelSession } from './kernel-session.js';
import {
  assertStartAllowed,
  startKernelSession,
  stopKernelSession
} from './kernel-lifecycle.js';
import type { IKernelModel } from './kernel-client.js';
import type { IKernelSpecModel } from './kernel-spec.js';
import { loadKernelSpec } from './kernel-spec.js';
import { MemoryBudget } from './memory-budget.js';
import { isPoolable, PrespawnPool } from './prespawn-pool.js';
import { IdleCuller } from './idle-culler.js';
import type { ILogFields } from '../log/gateway-log.js';

/** Share of physical memory kernels may be given together, by default. */
export const DEFAULT_MEMORY_BUDGET_SHARE = 0.75;

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
      this._culler = new IdleCuller({
        idleMs: options.idleCullMs,
        kernels: () => this._kernels.values(),
        isJobKernel: id => this._jobKernels.has(id),
        shutdown: id => this.shutdownKernel(id),
        log: (line, fields) => this._log(line, fields),
        onEvent: event => this.kernelChanged.emit(event)
      });
    }
    this._pool = new PrespawnPool({
      size: options.prespawn ?? 0,
      create: async () => {
        if (!this.hasMemoryFor()) return undefined;
        const id = this._memory.hold(this._memoryOf({}));
        return this._createSession(id, {}, false);
      },
      destroy: session => this._destroy(session),
      isDisposed: () => this._isDisposed
    });
    this.leftoversReaped = reapLeftoverKernels(this._kernelsDir, {
      isOwned: id => this._kernels.has(id) || this._pool.has(id),
      launcher: options.launcher,
      log: line => this._log(line)
    });
    if ((options.prespawn ?? 0) > 0) this._pool.fill();
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
    return this._pool.size;
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
    assertStartAllowed(options, this._kernels.size, this._options.maxKernels);
    const startedMs = Date.now();
    const pooled = isPoolable(options) ? this._pool.take() : undefined;
    if (pooled) {
      this._kernels.set(pooled.id, pooled);
      try {
        await pooled.writeFiles(options.files ?? {});
      } catch (error) {
        await this.shutdownKernel(pooled.id);
        throw error;
      }
      this._pool.fill();
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
    this._culler?.dispose();
    await this.leftoversReaped;
    await this._pool.filling;
    const all = [...this._kernels.values(), ...this._pool.takeAll()];
    this._kernels.clear();
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
    await this.leftoversReaped;
    return startKernelSession(options, {
      id,
      kernelsDir: this._kernelsDir,
      manager: this._options,
      hooks: {
        log: (line, fields) => this._log(line, { kernelId: id, ...fields }),
        onEvent: event => this.kernelChanged.emit(event),
        onClientShutdown: async restart => {
          try {
            if (restart) await this.restartKernel(id);
            else if (this._kernels.has(id)) await this.shutdownKernel(id);
          } catch (error) {
            this._log(
              `kernel ${id}: ${(error as Error).message.split('\n')[0]}`
            );
          }
        }
      },
      onCreated: session => {
        if (isCounted) this._kernels.set(id, session);
      },
      onFailed: () => {
        this._kernels.delete(id);
        this._memory.release(id);
      },
      isDisposed: () => this._isDisposed,
      log: (line, fields) => this._log(line, fields)
    });
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

  private async _destroy(
    kernel: KernelSession,
    options: KernelManager.IShutdownOptions = {}
  ): Promise<void> {
    const destroying = stopKernelSession(
      kernel,
      options,
      () => this._memory.release(kernel.id),
      (line, fields) => this._log(line, fields)
    );
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
    let pooled: KernelSession | undefined;
    while (!this._memory.fits(bytes) && (pooled = this._pool.takeNewest())) {
      await this._destroy(pooled);
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
  private readonly _pool: PrespawnPool;
  private readonly _destroying = new Set<Promise<void>>();
  private readonly _memory: MemoryBudget;
  private _culler: IdleCuller | undefined;
  private _spec: Promise<IKernelSpecModel> | undefined;
  private _isDisposed = false;
}

/** Statics of {@link KernelManager}. */
export namespace KernelManager {
  /** Options of {@link KernelManager.shutdownKernel}. */
  export type IShutdownOptions = IShutdownKernelOptions;

  /** Options of a {@link KernelManager}. */
  export type IOptions = IKernelManagerOptions;

  /** Options of {@link KernelManager.startKernel}. */
  export type IStartOptions = IStartKernelOptions;
}
