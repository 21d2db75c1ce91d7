import type { KernelEvent } from './kernel-events.js';
import type { KernelSession } from './kernel-session.js';
import type { LogSink } from '../log/gateway-log.js';

/**
 * Shuts down kernels idle for `idleMs`: no client connected, not busy, no
 * message either way for that long; job kernels never (their runner owns
 * them). Looks every `idleMs / 2` (50 ms to 30 s); each cull is logged and
 * announced (`kernel:culled`).
 */
export class IdleCuller {
  constructor(options: IdleCuller.IOptions) {
    this._options = options;
    const every = Math.max(50, Math.min(options.idleMs / 2, 30_000));
    this._timer = setInterval(() => void this._cull(), every);
    this._timer.unref();
  }

  /** Stops looking. */
  dispose(): void {
    clearInterval(this._timer);
  }

  private async _cull(): Promise<void> {
    const { idleMs, kernels, isJobKernel, shutdown, log } = this._options;
    const now = Date.now();
    for (const kernel of [...kernels()]) {
      const idle = now - kernel.lastActivityMs;
      if (
        !isJobKernel(kernel.id) &&
        kernel.connections === 0 &&
        kernel.executionState !== 'busy' &&
        idle > idleMs
      ) {
        log(
          `kernel ${kernel.id} culled after ${Math.round(idle / 1000)} s idle`,
          {
            event: 'kernel:culled',
            kernelId: kernel.id
          }
        );
        this._options.onEvent({
          type: 'kernel:culled',
          kernelId: kernel.id,
          idleMs: idle
        });
        await shutdown(kernel.id).catch(() => undefined);
      }
    }
  }

  private readonly _options: IdleCuller.IOptions;
  private readonly _timer: NodeJS.Timeout;
}

/** Option types of {@link IdleCuller}. */
export namespace IdleCuller {
  export interface IOptions {
    idleMs: number;
    /** The running kernels. */
    kernels: () => Iterable<KernelSession>;
    isJobKernel: (id: string) => boolean;
    /** Shuts a culled kernel down. */
    shutdown: (id: string) => Promise<void>;
    /** Where a cull is logged and announced. */
    log: LogSink;
    onEvent: (event: KernelEvent) => void;
  }
}
