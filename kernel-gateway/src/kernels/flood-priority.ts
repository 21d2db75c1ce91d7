import type { IKernelProcess } from '../sandbox/kernel-launcher.js';
import type { LogSink } from '../log/gateway-log.js';

/**
 * While a kernel's output comes faster than the gateway reads it, its
 * processes run at the lowest CPU priority, so other kernels (and the
 * gateway reading this flood) get the CPU first; restored once the flood
 * is over. Changes apply in order, each logged.
 */
export class FloodPriority {
  constructor(kernelId: string, log: LogSink | undefined) {
    this._kernelId = kernelId;
    this._log = log;
  }

  /**
   * The flood of `proc` started (`isFlooding`) or ended; `isCurrent` says,
   * when the change is due, whether `proc` is still the kernel's process.
   */
  change(
    proc: IKernelProcess,
    isFlooding: boolean,
    isCurrent: () => boolean
  ): void {
    if (!proc.setCpuPriority) return;
    const id = this._kernelId;
    const priority = isFlooding ? 'low' : 'normal';
    this._change = this._change
      .then(async () => {
        if (!isCurrent()) return;
        await proc.setCpuPriority!(priority);
        this._log?.(
          isFlooding
            ? `kernel ${id} floods its output: it is read at the gateway's rate limit and runs at the lowest CPU priority until the flood ends`
            : `kernel ${id}'s output flood ended: its CPU priority is back to normal`,
          { event: isFlooding ? 'kernel:flood-started' : 'kernel:flood-ended' }
        );
      })
      .catch(error =>
        this._log?.(
          `kernel ${id}: could not set its CPU priority to ${priority}: ${error instanceof Error ? error.message : String(error)}`,
          { event: 'kernel:cpu-priority-failed', level: 'warn' }
        )
      );
  }

  private readonly _kernelId: string;
  private readonly _log: LogSink | undefined;
  private _change: Promise<void> = Promise.resolve();
}
