import type { IJobEvents, NewJobEvent } from '@jaxlab/store';

/** Default cap on the log output stored for one job (bytes). */
export const DEFAULT_MAX_LOG_BYTES = 256 * 1024 * 1024;

/**
 * Writes one job's events to the store strictly in order, coalescing log
 * output: consecutive output of one stream is buffered for up to
 * `flushDelayMs` or `maxChunkBytes` and appended as one `job:log` event, so
 * a job printing 100,000 lines costs a few hundred appends, not 100,000.
 * One `events.append` call at a time; a non-log event first flushes the
 * logs before it.
 *
 * Nothing is dropped silently: every `log()` text reaches the store until
 * the job's log holds `maxLogBytes`; then the log says, where it happened,
 * that further output is discarded, and at the end how much was
 * (`finish()`). Other events (status, metrics) are never discarded.
 * {@link JobEventWriter.whenWritable} tells a fast producer to wait while
 * more than `highWaterBytes` are not yet stored.
 */
export class JobEventWriter {
  constructor(options: JobEventWriter.IOptions) {
    this._events = options.events;
    this._jobId = options.jobId;
    this._hostId = options.hostId;
    this._flushDelayMs = options.flushDelayMs ?? 2;
    this._maxChunkBytes = options.maxChunkBytes ?? 256 * 1024;
    this._maxLogBytes = options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
    this._highWaterBytes = options.highWaterBytes ?? 8 * 1024 * 1024;
    this._onLost = options.onLost ?? (() => undefined);
  }

  /** Bytes of output discarded past the log cap so far. */
  get discardedBytes(): number {
    return this._discardedBytes;
  }

  /** The first store error, once writing stopped (e.g. `LEASE_LOST`). */
  get error(): unknown {
    return this._error;
  }

  /**
   * Queues output of the job's stdout or stderr; past the log cap, counts
   * it as discarded instead (the first time with a notice in the log).
   */
  log(stream: 'stdout' | 'stderr', text: string): void {
    if (!text || this._error !== undefined) {
      return;
    }
    const bytes = Buffer.byteLength(text);
    const room = this._maxLogBytes - this._loggedBytes;
    if (this._isCapped || bytes > room) {
      const kept = this._isCapped ? '' : cutToBytes(text, room);
      const keptBytes = Buffer.byteLength(kept);
      this._discardedBytes += bytes - keptBytes;
      if (!this._isCapped) {
        this._isCapped = true;
        this._loggedBytes += keptBytes;
        this._queueLog(stream, kept, keptBytes);
        const notice = `\n[jaxlab] This job's log reached its cap of ${formatBytes(this._maxLogBytes)}: further output is discarded (the job goes on; its metrics and result are still recorded). How much was discarded is noted at the end.\n`;
        this._queueLog('stderr', notice, Buffer.byteLength(notice));
      }
      return;
    }
    this._loggedBytes += bytes;
    this._queueLog(stream, text, bytes);
  }

  /**
   * Undefined while the store keeps up; else a promise that resolves once
   * less than half of `highWaterBytes` waits to be stored (or writing
   * failed). Producers that can wait should.
   */
  whenWritable(): Promise<void> | undefined {
    if (
      this._unstoredBytes <= this._highWaterBytes ||
      this._error !== undefined
    ) {
      return undefined;
    }
    return new Promise(resolve => this._waiters.push(resolve));
  }

  /**
   * Writes the closing note on discarded output (if any) and everything
   * queued; call once, before the job's final status.
   */
  finish(): Promise<void> {
    if (this._discardedBytes > 0) {
      const note = `[jaxlab] ${formatBytes(this._discardedBytes)} (${this._discardedBytes} bytes) of output were discarded after the log reached its cap of ${formatBytes(this._maxLogBytes)}.\n`;
      this._queueLog('stderr', note, Buffer.byteLength(note));
    }
    return this.flush();
  }

  private _queueLog(
    stream: 'stdout' | 'stderr',
    text: string,
    bytes: number
  ): void {
    if (!text) return;
    this._unstoredBytes += bytes;
    const last = this._buffer[this._buffer.length - 1];
    if (
      last?.type === 'job:log' &&
      last.stream === stream &&
      this._lastLogBytes + bytes <= this._maxChunkBytes
    ) {
      last.text += text;
      this._lastLogBytes += bytes;
    } else {
      // A single text larger than a chunk is split so each event stays small.
      for (const piece of splitText(text, this._maxChunkBytes)) {
        this._buffer.push({ type: 'job:log', stream, text: piece });
        this._lastLogBytes = Buffer.byteLength(piece);
      }
    }
    this._bufferedBytes += bytes;
    if (this._bufferedBytes >= this._maxChunkBytes) {
      void this.flush();
    } else {
      this._timer ??= setTimeout(() => void this.flush(), this._flushDelayMs);
    }
  }

  /** Queues any event after the buffered logs, and writes them now. */
  append(event: NewJobEvent): Promise<void> {
    if (this._error === undefined) {
      this._buffer.push(event);
      this._lastLogBytes = 0;
    }
    return this.flush();
  }

  /**
   * Writes everything queued so far; resolves once it is in the store (or
   * writing failed: see {@link JobEventWriter.error}).
   */
  flush(): Promise<void> {
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    const events = this._buffer;
    const bytes = this._bufferedBytes;
    this._buffer = [];
    this._bufferedBytes = 0;
    this._lastLogBytes = 0;
    if (events.length === 0) {
      return this._chain;
    }
    this._chain = this._chain.then(async () => {
      try {
        if (this._error === undefined) {
          await this._events.append(this._jobId, events, {
            hostId: this._hostId
          });
        }
      } catch (error) {
        this._error = error;
        this._onLost(error);
      } finally {
        this._unstoredBytes -= bytes;
        this._wakeWaiters();
      }
    });
    return this._chain;
  }

  private _wakeWaiters(): void {
    if (
      this._unstoredBytes > this._highWaterBytes / 2 &&
      this._error === undefined
    ) {
      return;
    }
    const waiters = this._waiters;
    this._waiters = [];
    for (const resolve of waiters) resolve();
  }

  private _buffer: JobEventWriter.IPendingEvent[] = [];
  private _bufferedBytes = 0;
  private _loggedBytes = 0;
  private _discardedBytes = 0;
  private _isCapped = false;
  private _unstoredBytes = 0;
  private _waiters: Array<() => void> = [];
  private _maxLogBytes: number;
  private _highWaterBytes: number;
  private _lastLogBytes = 0;
  private _chain: Promise<void> = Promise.resolve();
  private _error: unknown = undefined;
  private _flushDelayMs: number;
  private _hostId: string;
  private _jobId: string;
  private _maxChunkBytes: number;
  private _onLost: (error: unknown) => void;
  private _events: IJobEvents;
  private _timer: NodeJS.Timeout | undefined;
}

/** Statics and option types of {@link JobEventWriter}. */
export namespace JobEventWriter {
  export interface IOptions {
    /** Where the job's events go. */
    events: IJobEvents;
    jobId: string;
    /** Appends only while this host holds the job's lease. */
    hostId: string;
    /** Longest a log text waits for company (default 2 ms: a line is stored about as soon as it is printed). */
    flushDelayMs?: number;
    /** Largest log event text and buffer before a flush (default 256 KiB). */
    maxChunkBytes?: number;
    /** Log bytes stored for the job; the rest is discarded with a notice (default 256 MiB). */
    maxLogBytes?: number;
    /** Unstored bytes above which {@link JobEventWriter.whenWritable} asks to wait (default 8 MiB). */
    highWaterBytes?: number;
    /** Called once when the store refuses an append (lease lost, job final). */
    onLost?: (error: unknown) => void;
  }

  /** @internal */
  export type IPendingEvent = NewJobEvent;
}

/** The longest start of `text` of at most `maxBytes` UTF-8 bytes (whole code points). */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${bytes} bytes`;
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes (on code points). */
function splitText(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) {
    return [text];
  }
  const pieces: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const char of text) {
    const bytes = Buffer.byteLength(char);
    if (currentBytes + bytes > maxBytes) {
      pieces.push(current);
      current = '';
      currentBytes = 0;
    }
    current += char;
    currentBytes += bytes;
  }
  if (current) {
    pieces.push(current);
  }
  return pieces;
}
