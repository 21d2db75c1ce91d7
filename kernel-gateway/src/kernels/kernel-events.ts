/** A lifecycle event of one kernel (colon-scoped, discriminated by `type`). */
export type KernelEvent =
  | { type: 'kernel:started'; kernelId: string; isFromPool: boolean }
  | { type: 'kernel:restarted'; kernelId: string }
  | { type: 'kernel:dead'; kernelId: string; reason: string }
  | { type: 'kernel:shutdown'; kernelId: string }
  | { type: 'kernel:culled'; kernelId: string; idleMs: number };

/** The `type` of a {@link KernelEvent}. */
export type KernelEventType = KernelEvent['type'];

/**
 * A minimal Lumino-like signal of {@link KernelEvent}s: `connect` a slot,
 * `disconnect` it again; a throwing slot does not stop the others.
 */
export class KernelEventSignal {
  /** Calls `slot` with every later event. */
  connect(slot: (event: KernelEvent) => void): void {
    this._slots.add(slot);
  }

  /** Stops calling `slot`. */
  disconnect(slot: (event: KernelEvent) => void): void {
    this._slots.delete(slot);
  }

  /** @internal Delivers `event` to every slot. */
  emit(event: KernelEvent): void {
    for (const slot of [...this._slots]) {
      try {
        slot(event);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private readonly _slots = new Set<(event: KernelEvent) => void>();
}
