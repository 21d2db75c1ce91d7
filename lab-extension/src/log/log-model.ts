import { Signal, type ISignal } from '@lumino/signaling';

/** Which stream a piece of output came from. */
export type LogStream = 'stdout' | 'stderr';

/** A piece of output. */
export interface ILogEntry {
  /** Stream it came from. */
  stream: LogStream;
  /** Raw text, ANSI escapes included. */
  text: string;
}

/** What one flush delivers to views. */
export interface ILogBatch {
  /** Entries in arrival order, consecutive pieces of one stream merged. */
  entries: ILogEntry[];
  /** Lines received so far, this batch included. */
  lineCount: number;
}

/** Schedules a callback before the next paint; returns a cancel function. */
export type FrameScheduler = (callback: () => void) => () => void;

/** requestAnimationFrame when there is one, a 16 ms timer otherwise. */
export const animationFrame: FrameScheduler = callback => {
  if (typeof requestAnimationFrame === 'function') {
    const handle = requestAnimationFrame(() => callback());
    return () => cancelAnimationFrame(handle);
  }
  const handle = setTimeout(callback, 16);
  return () => clearTimeout(handle);
};

/**
 * Output of one job as it arrives, delivered to views in batches: however
 * many events come in between two frames, views get one `flushed` signal per
 * frame, so 100,000 lines cost a few hundred DOM updates, not 100,000.
 */
export class LogModel {
  /** @param schedule - frame scheduler (tests inject a manual one). */
  constructor(schedule: FrameScheduler = animationFrame) {
    this._schedule = schedule;
  }

  /** Emitted once per frame with everything appended since the last one. */
  get flushed(): ISignal<this, ILogBatch> {
    return this._flushed;
  }

  /** Emitted when the log is cleared. */
  get cleared(): ISignal<this, void> {
    return this._cleared;
  }

  /** Lines received so far (flushed or not). */
  get lineCount(): number {
    return this._lineCount;
  }

  /** Whether output is waiting for the next frame. */
  get hasPending(): boolean {
    return this._pending.length > 0;
  }

  /** Queue a piece of output for the next frame. */
  append(stream: LogStream, text: string): void {
    if (!text) {
      return;
    }
    this._lineCount += countNewlines(text);
    const last = this._pending[this._pending.length - 1];
    if (last && last.stream === stream) {
      last.text += text;
    } else {
      this._pending.push({ stream, text });
    }
    if (!this._cancel) {
      this._cancel = this._schedule(() => {
        this._cancel = null;
        this.flush();
      });
    }
  }

  /** Deliver what is pending now instead of at the next frame. */
  flush(): void {
    if (this._cancel) {
      this._cancel();
      this._cancel = null;
    }
    if (!this._pending.length) {
      return;
    }
    const entries = this._pending;
    this._pending = [];
    this._flushed.emit({ entries, lineCount: this._lineCount });
  }

  /** Forget everything. */
  clear(): void {
    this._cancel?.();
    this._cancel = null;
    this._pending = [];
    this._lineCount = 0;
    this._cleared.emit();
  }

  /** Stop scheduling; idempotent. */
  dispose(): void {
    this._cancel?.();
    this._cancel = null;
    this._pending = [];
    Signal.clearData(this);
  }

  private _schedule: FrameScheduler;
  private _cancel: (() => void) | null = null;
  private _pending: ILogEntry[] = [];
  private _lineCount = 0;
  private _flushed = new Signal<this, ILogBatch>(this);
  private _cleared = new Signal<this, void>(this);
}

/** Number of `\n` in `text`. */
export function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    count++;
  }
  return count;
}
