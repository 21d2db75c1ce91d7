import type { IJobEvents, NewJobEvent } from '@jaxlab/store';

/**
 * Writes one job's events to the store strictly in order, coalescing log
 * output: consecutive output of one stream is buffered for up to
 * `flushDelayMs` or `maxChunkBytes` and appended as one `job:log` event, so
 * a job printing 100,000 lines costs a few hundred appends, not 100,000.
 * Nothing is ever dropped: every `log()` text reaches the store unless the
 * job's lease is lost. One `events.append` call at a time; a non-log event
 * first flushes the logs before it.
 */
export class JobEventWriter {
  constructor(options: JobEventWriter.IOptions) {
    this._events = options.events;
    this._jobId = options.jobId;
    this._hostId = options.hostId;
    this._flushDelayMs = options.flushDelayMs ?? 20;
    this._maxChunkBytes = options.maxChunkBytes ?? 256 * 1024;
    this._onLost = options.onLost ?? (() => undefined);
  }

  /** The first store error, once writing stopped (e.g. `LEASE_LOST`). */
  get error(): unknown {
    return this._error;
  }

  /** Queues output of the job's stdout or stderr. */
  log(stream: 'stdout' | 'stderr', text: string): void {
    if (!text || this._error !== undefined) {
      return;
    }
    const bytes = Buffer.byteLength(text);
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
    this._buffer = [];
    this._bufferedBytes = 0;
    this._lastLogBytes = 0;
    if (events.length === 0) {
      return this._chain;
    }
    this._chain = this._chain.then(async () => {
      if (this._error !== undefined) {
        return;
      }
      try {
        await this._events.append(this._jobId, events, {
          hostId: this._hostId
        });
      } catch (error) {
        this._error = error;
        this._onLost(error);
      }
    });
    return this._chain;
  }

  private _buffer: JobEventWriter.IPendingEvent[] = [];
  private _bufferedBytes = 0;
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
    /** Longest a log text waits for company (default 20 ms). */
    flushDelayMs?: number;
    /** Largest log event text and buffer before a flush (default 256 KiB). */
    maxChunkBytes?: number;
    /** Called once when the store refuses an append (lease lost, job final). */
    onLost?: (error: unknown) => void;
  }

  /** @internal */
  export type IPendingEvent = NewJobEvent;
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
