import type { ICompileCacheView } from '../cache/compile-cache.js';
import type { CompileCache } from '../cache/compile-cache.js';
import type { DeviceSlots } from '../slots/device-slots.js';
import type { ISlotGrant } from '../slots/device-slots.js';
import type { IJobKernel, IJobKernels } from './job-kernels.js';
import { jobKernelOptions, sameKernelOptions } from './job-kernel-options.js';

/** A started kernel waiting for a job, with its (still empty) cache view. */
export interface IWarmKernel {
  kernel: IJobKernel;
  view?: ICompileCacheView;
}

interface IEntry {
  slotId: string;
  grant: ISlotGrant;
  warm?: IWarmKernel;
}

/**
 * One started kernel per device slot, ready for that slot's next job
 * without requirements: Python, the harness and JAX already imported
 * (`JAXLAB_PREIMPORT`), no backend started (the job's device check starts
 * it), main.py and the designated function given when a job takes it.
 * A taken or dead kernel is replaced in the background, one start at a time.
 */
export class WarmKernels {
  constructor(options: WarmKernels.IOptions) {
    this._options = options;
  }

  /** Kernels ready now. */
  get readyCount(): number {
    return [...this._entries.values()].filter(e => e.warm).length;
  }

  /** Prepares a kernel for every slot. */
  fill(slots: DeviceSlots): void {
    for (const slot of slots.slots) {
      const grant = slots.grantOf(slot.id);
      if (!grant || this._entries.has(slot.id)) continue;
      this._entries.set(slot.id, { slotId: slot.id, grant });
      this._schedule(slot.id);
    }
  }

  /**
   * The warm kernel of the job's slot, if one is ready and was started
   * exactly as this job's kernel would be (one slot, one device).
   */
  take(grant: ISlotGrant, deviceCount: number): IWarmKernel | undefined {
    if (this._disposed || grant.slotIds.length !== 1) return undefined;
    const entry = this._entries.get(grant.slotIds[0]!);
    if (
      !entry?.warm ||
      !sameKernelOptions(
        jobKernelOptions(entry.grant, 1),
        jobKernelOptions(grant, deviceCount)
      )
    ) {
      return undefined;
    }
    const warm = entry.warm;
    entry.warm = undefined;
    this._schedule(entry.slotId);
    return warm;
  }

  /** Shuts every waiting kernel down. Idempotent. */
  async dispose(): Promise<void> {
    this._disposed = true;
    await this._queue;
    const waiting = [...this._entries.values()].flatMap(e =>
      e.warm ? [e.warm] : []
    );
    this._entries.clear();
    await Promise.all(waiting.map(warm => this._discard(warm)));
  }

  private _schedule(slotId: string): void {
    this._queue = this._queue.then(() => this._start(slotId));
  }

  private async _start(slotId: string): Promise<void> {
    const entry = this._entries.get(slotId);
    if (this._disposed || !entry || entry.warm) return;
    const { kernels, compileCache, log } = this._options;
    const view = await compileCache?.createView();
    try {
      const options = jobKernelOptions(entry.grant, 1, view);
      const kernel = await kernels.startKernel({
        ...options,
        runtimeEnv: {
          ...options.runtimeEnv,
          JAXLAB_PREIMPORT: 'jax,jax.numpy'
        },
        limits: { wallClockLimitMs: WARM_WALL_CLOCK_MS }
      });
      const warm = { kernel, view };
      if (this._disposed || this._entries.get(slotId) !== entry) {
        await this._discard(warm);
        return;
      }
      entry.warm = warm;
      log(`warm kernel ${kernel.id} ready for slot ${slotId}`);
      void kernel.exited.then(() => {
        // Died while waiting (culled, killed): start another.
        if (entry.warm === warm) {
          entry.warm = undefined;
          void this._discard(warm);
          this._schedule(slotId);
        }
      });
    } catch (error) {
      if (view) await compileCache?.dispose(view);
      log(`warm kernel for slot ${slotId} failed to start: ${String(error)}`);
    }
  }

  private async _discard(warm: IWarmKernel): Promise<void> {
    await this._options.kernels
      .shutdownKernel(warm.kernel.id, { now: true })
      .catch(() => undefined);
    if (warm.view) await this._options.compileCache?.dispose(warm.view);
  }

  private _disposed = false;
  private _entries = new Map<string, IEntry>();
  private _options: WarmKernels.IOptions;
  private _queue: Promise<void> = Promise.resolve();
}

/** A warm kernel waits at most this long (the job's own timer ends jobs). */
const WARM_WALL_CLOCK_MS = 25 * 3600 * 1000;

/** Option types of {@link WarmKernels}. */
export namespace WarmKernels {
  export interface IOptions {
    kernels: IJobKernels;
    compileCache?: CompileCache;
    log: (line: string) => void;
  }
}
