import { randomUUID } from 'node:crypto';

import { JaxLabError } from '@jaxlab/schemas';

/**
 * The host's memory budget for kernels: the memory limits of every kernel
 * that holds one (running, pooled, starting) add up to at most
 * `budgetBytes`. Checking and holding are one synchronous step, so
 * concurrent starts cannot both pass.
 */
export class MemoryBudget {
  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
  }

  /** What all kernels may hold together. */
  readonly budgetBytes: number;

  /** Bytes held now. */
  get heldBytes(): number {
    let held = 0;
    for (const bytes of this._held.values()) held += bytes;
    return held;
  }

  /** Bytes left. */
  get availableBytes(): number {
    return this.budgetBytes - this.heldBytes;
  }

  /** Whether `count` kernels of `bytes` each fit now. */
  fits(bytes: number, count = 1): boolean {
    return count * bytes <= this.availableBytes;
  }

  /**
   * Holds `bytes` for a new kernel and returns its id (a fresh UUID).
   *
   * @throws JaxLabError `KERNEL_LIMIT_REACHED` when they do not fit,
   *   saying the budget, what is held and what was asked for.
   */
  hold(bytes: number): string {
    if (!this.fits(bytes)) {
      throw new JaxLabError(
        'KERNEL_LIMIT_REACHED',
        `This host gives its kernels ${formatGiB(this.budgetBytes)} of memory in all; ${this._held.size} kernel(s) hold ${formatGiB(this.heldBytes)} of memory limits, and this kernel needs ${formatGiB(bytes)}.`,
        {
          hint: 'Shut down a kernel you no longer use (or wait for a job to end), or start this one with a smaller memory limit; the host administrator sets the budget (--memory-budget-gib).',
          details: {
            memoryBudgetBytes: this.budgetBytes,
            memoryHeldBytes: this.heldBytes,
            memoryNeededBytes: bytes
          }
        }
      );
    }
    const id = randomUUID();
    this._held.set(id, bytes);
    return id;
  }

  /** Gives back what kernel `id` held (nothing when it held nothing). */
  release(id: string): void {
    this._held.delete(id);
  }

  private readonly _held = new Map<string, number>();
}

function formatGiB(bytes: number): string {
  return `${Number((bytes / 1024 ** 3).toFixed(1))} GiB`;
}
