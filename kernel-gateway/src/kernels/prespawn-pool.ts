import { DEFAULT_DESIGNATED_FUNCTIONS } from '@jaxlab/schemas';

import type { IStartKernelOptions } from './kernel-manager-options.js';
import type { KernelSession } from './kernel-session.js';

/**
 * The prespawn pool of a KernelManager: up to `size` started kernels kept
 * ready for starts that need nothing a pooled kernel lacks
 * ({@link isPoolable}). It refills in the background, one kernel at a
 * time, while the memory budget allows (`create` answers undefined when it
 * does not), and forgets a kernel that dies.
 */
export class PrespawnPool {
  constructor(options: PrespawnPool.IOptions) {
    this._options = options;
  }

  /** Number of started kernels waiting. */
  get size(): number {
    return this._kernels.length;
  }

  /** Resolves once the refill in progress (if any) is over. */
  get filling(): Promise<void> {
    return this._filling;
  }

  /** Whether kernel `id` waits in the pool. */
  has(id: string): boolean {
    return this._kernels.some(k => k.id === id);
  }

  /** Takes the kernel that waited longest, if any. */
  take(): KernelSession | undefined {
    return this._kernels.shift();
  }

  /** Takes the kernel started last, if any (to make room for a start). */
  takeNewest(): KernelSession | undefined {
    return this._kernels.pop();
  }

  /** Takes every waiting kernel (the manager disposes them). */
  takeAll(): KernelSession[] {
    const all = this._kernels;
    this._kernels = [];
    return all;
  }

  /** Starts kernels until the pool is full, unless a refill is going on. */
  fill(): void {
    const { options } = this;
    if (this._isFilling || options.isDisposed()) return;
    this._isFilling = true;
    this._filling = (async () => {
      try {
        while (!options.isDisposed() && this._kernels.length < options.size) {
          let session: KernelSession | undefined;
          try {
            session = await options.create();
          } catch {
            // Logged already; try again later rather than spin.
            setTimeout(() => this.fill(), 10_000).unref();
            return;
          }
          // A pooled kernel never takes memory a real start could use.
          if (!session) return;
          if (options.isDisposed()) {
            await options.destroy(session);
            return;
          }
          this._kernels.push(session);
          void session.exited.then(() => {
            this._kernels = this._kernels.filter(k => k !== session);
          });
        }
      } finally {
        this._isFilling = false;
      }
    })();
  }

  private get options(): PrespawnPool.IOptions {
    return this._options;
  }

  private readonly _options: PrespawnPool.IOptions;
  private _kernels: KernelSession[] = [];
  private _filling: Promise<void> = Promise.resolve();
  private _isFilling = false;
}

/** Option types of {@link PrespawnPool}. */
export namespace PrespawnPool {
  export interface IOptions {
    /** Kernels kept ready. */
    size: number;
    /** Starts a kernel for the pool; undefined when memory is short. */
    create: () => Promise<KernelSession | undefined>;
    /** Shuts down a kernel started after the manager was disposed. */
    destroy: (session: KernelSession) => Promise<void>;
    isDisposed: () => boolean;
  }
}

/**
 * Whether a start can be served from the pool: it needs the default
 * designated functions and no limits, requirements environment, extra
 * imports, devices, runtime environment or writable binds.
 */
export function isPoolable(options: IStartKernelOptions): boolean {
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
