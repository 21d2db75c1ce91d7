import type { KernelMessage } from '@jupyterlab/services';

/** Approximate size of a message in bytes (content JSON plus buffers). */
export function messageSize(msg: KernelMessage.IMessage): number {
  let size = JSON.stringify(msg.content).length + 512;
  for (const b of msg.buffers ?? []) size += (b as ArrayBuffer).byteLength;
  return size;
}

/** Whether `b` is a stream message that may be appended to `a`. */
export function canCoalesce(
  a: KernelMessage.IMessage,
  b: KernelMessage.IMessage
): boolean {
  return (
    a.header.msg_type === 'stream' &&
    b.header.msg_type === 'stream' &&
    a.channel === b.channel &&
    (a.content as KernelMessage.IStreamMsg['content']).name ===
      (b.content as KernelMessage.IStreamMsg['content']).name &&
    (a.parent_header as Partial<KernelMessage.IHeader>)?.msg_id ===
      (b.parent_header as Partial<KernelMessage.IHeader>)?.msg_id
  );
}

/** `a` with the text of stream message `b` appended (a new object). */
export function coalesceStreams(
  a: KernelMessage.IMessage,
  b: KernelMessage.IMessage
): KernelMessage.IMessage {
  const content = a.content as KernelMessage.IStreamMsg['content'];
  const more = (b.content as KernelMessage.IStreamMsg['content']).text;
  return {
    ...a,
    content: { ...content, text: content.text + more }
  } as KernelMessage.IMessage;
}

/**
 * Kernel output kept while no client is connected, replayed to the next
 * client. Bounded by bytes and messages: consecutive stream messages of the
 * same name and parent are merged as they arrive; when the bound is still
 * exceeded the oldest messages go, and the replay starts with a stream
 * message saying exactly how many messages and bytes were dropped.
 */
export class ReplayBuffer {
  constructor(options: Partial<ReplayBuffer.IOptions> = {}) {
    this._maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this._maxMessages = options.maxMessages ?? 100_000;
  }

  /** Messages held. */
  get length(): number {
    return this._items.length;
  }

  /** Bytes held (approximate). */
  get bytes(): number {
    return this._bytes;
  }

  /** Keeps `msg` for the next client. */
  push(msg: KernelMessage.IMessage): void {
    const last = this._items[this._items.length - 1];
    if (last && canCoalesce(last.msg, msg)) {
      const merged = coalesceStreams(last.msg, msg);
      const size = messageSize(merged);
      this._bytes += size - last.size;
      this._items[this._items.length - 1] = { msg: merged, size };
    } else {
      const size = messageSize(msg);
      this._items.push({ msg, size });
      this._bytes += size;
    }
    while (
      this._items.length > 1 &&
      (this._bytes > this._maxBytes || this._items.length > this._maxMessages)
    ) {
      const dropped = this._items.shift()!;
      this._bytes -= dropped.size;
      this._droppedMessages++;
      this._droppedBytes += dropped.size;
    }
  }

  /**
   * Everything held, oldest first, and empties the buffer. When something
   * was dropped, `makeNote(text)` builds the message that says so, and it
   * comes first.
   */
  drain(
    makeNote: (text: string) => KernelMessage.IMessage
  ): KernelMessage.IMessage[] {
    const out = this._items.map(item => item.msg);
    if (this._droppedMessages > 0) {
      out.unshift(
        makeNote(
          `[jaxlab-gateway] ${this._droppedMessages} earlier output messages (${this._droppedBytes} bytes) were dropped while no client was connected: the replay buffer keeps at most ${this._maxBytes} bytes and ${this._maxMessages} messages.\n`
        )
      );
    }
    this._items = [];
    this._bytes = 0;
    this._droppedMessages = 0;
    this._droppedBytes = 0;
    return out;
  }

  private _items: { msg: KernelMessage.IMessage; size: number }[] = [];
  private _bytes = 0;
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
