/** One Server-Sent Event as the wire carries it. */
export interface IServerSentEvent {
  /** `id:` field; empty when the event had none. */
  id: string;
  /** `event:` field; `message` when absent. */
  event: string;
  /** `data:` lines joined by newlines. */
  data: string;
}

/**
 * Incremental parser of a `text/event-stream` body, per the HTML standard
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html): feed it
 * text as it arrives, in pieces of any size, and it returns the events that
 * are complete. Comments (`:` lines) and `retry:` are ignored.
 */
export class SseParser {
  /**
   * Parse the next piece of the stream.
   *
   * @returns the events completed by this piece, in order.
   */
  push(text: string): IServerSentEvent[] {
    this._buffer += text;
    const events: IServerSentEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = this._findNewline(start);
      if (newline < 0) {
        break;
      }
      let line = this._buffer.slice(start, newline);
      start =
        this._buffer[newline] === '\r' && this._buffer[newline + 1] === '\n'
          ? newline + 2
          : newline + 1;
      if (line.endsWith('\r')) {
        line = line.slice(0, -1);
      }
      const event = this._line(line);
      if (event) {
        events.push(event);
      }
    }
    this._buffer = this._buffer.slice(start);
    return events;
  }

  private _findNewline(from: number): number {
    for (let i = from; i < this._buffer.length; i++) {
      const c = this._buffer.charCodeAt(i);
      if (c === 10) {
        return i;
      }
      if (c === 13) {
        // A lone CR at the very end may be the first half of CRLF.
        return i + 1 < this._buffer.length ? i : -1;
      }
    }
    return -1;
  }

  private _line(line: string): IServerSentEvent | null {
    if (line === '') {
      if (!this._hasData) {
        this._event = '';
        return null;
      }
      const event = {
        id: this._id,
        event: this._event || 'message',
        data: this._data.join('\n')
      };
      this._data = [];
      this._hasData = false;
      this._event = '';
      return event;
    }
    if (line.startsWith(':')) {
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'data':
        this._data.push(value);
        this._hasData = true;
        break;
      case 'event':
        this._event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this._id = value;
        }
        break;
      default:
        break;
    }
    return null;
  }

  private _buffer = '';
  private _data: string[] = [];
  private _hasData = false;
  private _event = '';
  private _id = '';
}

/**
 * The events of a `text/event-stream` body as they arrive; rejects as the
 * body's reader does when the connection drops. Releases the reader when
 * the caller stops early.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>
): AsyncGenerator<IServerSentEvent, void, undefined> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        return;
      }
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock?.();
  }
}
