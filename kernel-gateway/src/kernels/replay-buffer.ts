import type { KernelMessage } from '@jupyterlab/services';

import { OutputQueue } from './output-queue.js';

/**
 * Kernel output kept while no client is connected, replayed to the next
 * client. Bounded by bytes and messages, for one message too: consecutive
 * stream messages of the same name and parent are merged as they arrive
 * (into messages of at most 1 MiB), and while the bound is exceeded the
 * oldest messages go — a single message larger than the whole bound is not
 * kept at all. The replay then starts with a stream message saying exactly
 * how many messages and bytes were dropped. Every push costs O(size of the
 * pushed message).
 */
export class ReplayBuffer {
  constructor(options: Partial<ReplayBuffer.IOptions> = {}) {
    this._maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this._maxMessages = options.maxMessages ?? 100_000;
  }

  /** Messages held. */
  get length(): number {
    return this._queue.length;
  }

  /** Bytes held (approximate). */
  get bytes(): number {
    return this._queue.bytes;
  }

  /** Keeps `msg` for the next client. */
  push(msg: KernelMessage.IMessage): void {
    this._queue.push(msg);
    while (
      this._queue.length > 0 &&
      (this._queue.bytes > this._maxBytes ||
        this._queue.length > this._maxMessages)
    ) {
      this._droppedBytes += this._queue.discard()!;
      this._droppedMessages++;
    }
  }

  /**
   * Everything held, oldest first, as a queue for the next client to send
   * at its own pace (nothing is built or copied here), and empties the
   * buffer. When something was dropped, `makeNote(text)` builds the
   * message that says so, and it comes first.
   */
  take(makeNote: (text: string) => KernelMessage.IMessage): OutputQueue {
    const out = new OutputQueue();
    if (this._droppedMessages > 0) {
      out.push(
        makeNote(
          `[jaxlab-gateway] ${this._droppedMessages} earlier output messages (${this._droppedBytes} bytes) were dropped while no client was connected: the replay buffer keeps at most ${this._maxBytes} bytes and ${this._maxMessages} messages.\n`
        )
      );
    }
    out.append(this._queue);
    this._droppedMessages = 0;
    this._droppedBytes = 0;
    return out;
  }

  private readonly _queue = new OutputQueue();
  private _droppedMessages = 0;
  private _droppedBytes = 0;
  private readonly _maxBytes: number;
  private readonly _maxMessages: number;
}

/** Statics of {@link ReplayBuffer}. */
export namespace ReplayBuffer {
  /** Bounds of a {@link ReplayBuffer}. */
  export interface IOptions {
    maxBytes: number;
    maxMessages: number;
  }
}
