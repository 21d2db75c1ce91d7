import type { KernelMessage } from '@jupyterlab/services';

/**
 * Most bytes of stream text merged into one queued message: merged
 * messages stay small enough to serialise and send without holding the
 * event loop (a few ms each).
 */
export const MAX_MERGED_STREAM_BYTES = 1024 * 1024;

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
    streamOf(a).name === streamOf(b).name &&
    (a.parent_header as Partial<KernelMessage.IHeader>)?.msg_id ===
      (b.parent_header as Partial<KernelMessage.IHeader>)?.msg_id
  );
}

function streamOf(msg: KernelMessage.IMessage): { name: string; text: string } {
  return msg.content as KernelMessage.IStreamMsg['content'];
}

// One UTF-8 copy of a stream message's text, shared by every queue that
// holds the message (each client of a kernel gets the same message object).
const textBytes = new WeakMap<KernelMessage.IMessage, Buffer>();

function textBytesOf(msg: KernelMessage.IMessage): Buffer {
  let bytes = textBytes.get(msg);
  if (!bytes) {
    bytes = Buffer.from(streamOf(msg).text, 'utf8');
    textBytes.set(msg, bytes);
  }
  return bytes;
}

/**
 * One held message. Stream text is held as UTF-8 outside the JavaScript
 * heap, one copy per message however many queues hold it: a backlog that
 * stays queued for seconds would otherwise be copied by young-generation
 * collections, which pause the whole gateway under a flood.
 */
class HeldOutput {
  constructor(msg: KernelMessage.IMessage) {
    if (msg.header.msg_type === 'stream') {
      const chunk = textBytesOf(msg);
      this._first = { ...msg, content: { ...streamOf(msg), text: '' } };
      this._chunks = [chunk];
      this.bytes = chunk.length + 512;
    } else {
      this._first = msg;
      this.bytes = messageSize(msg);
    }
  }

  /** Size in bytes (text, plus an estimate of the envelope). */
  bytes: number;

  /** Appends stream message `msg` if it may be merged and fits; says whether it did. */
  tryMerge(msg: KernelMessage.IMessage): boolean {
    if (!this._chunks || !canCoalesce(this._first, msg)) return false;
    const chunk = textBytesOf(msg);
    if (this.bytes - 512 + chunk.length > MAX_MERGED_STREAM_BYTES) return false;
    this._chunks.push(chunk);
    this.bytes += chunk.length;
    return true;
  }

  /** The message, with merged stream text joined. */
  message(): KernelMessage.IMessage {
    if (!this._chunks) return this._first;
    const text = (
      this._chunks.length === 1 ? this._chunks[0]! : Buffer.concat(this._chunks)
    ).toString('utf8');
    return {
      ...this._first,
      content: { ...streamOf(this._first), text }
    } as KernelMessage.IMessage;
  }

  private readonly _first: KernelMessage.IMessage;
  private readonly _chunks: Buffer[] | undefined;
}

/** One message taken off an {@link OutputQueue}, and its size in bytes. */
export interface IQueuedOutput {
  msg: KernelMessage.IMessage;
  bytes: number;
}

/**
 * A first-in first-out queue of kernel messages that merges consecutive
 * stream messages of one name and parent (up to
 * {@link MAX_MERGED_STREAM_BYTES} each) and counts its bytes. Every
 * operation costs O(size of the message it is given or returns): merging
 * counts only the new text, and nothing is re-measured.
 */
export class OutputQueue {
  /** Messages held. */
  get length(): number {
    return this._items.length - this._head;
  }

  /** Bytes held (approximate, see {@link messageSize}). */
  get bytes(): number {
    return this._bytes;
  }

  /** Stream messages merged into an earlier one so far. */
  get merged(): number {
    return this._merged;
  }

  /** Appends `msg`, merged into the last message when it may be. */
  push(msg: KernelMessage.IMessage): void {
    const last =
      this.length > 0 ? this._items[this._items.length - 1] : undefined;
    if (last) {
      const before = last.bytes;
      if (last.tryMerge(msg)) {
        this._bytes += last.bytes - before;
        this._merged++;
        return;
      }
    }
    const held = new HeldOutput(msg);
    this._items.push(held);
    this._bytes += held.bytes;
  }

  /** Moves every message of `other` to the end of this queue (unmerged). */
  append(other: OutputQueue): void {
    for (let held = other._take(); held; held = other._take()) {
      this._items.push(held);
      this._bytes += held.bytes;
    }
  }

  /** Removes and returns the oldest message. */
  shift(): IQueuedOutput | undefined {
    const held = this._take();
    return held && { msg: held.message(), bytes: held.bytes };
  }

  /** Removes the oldest message without building it; returns its size, or undefined when empty. */
  discard(): number | undefined {
    return this._take()?.bytes;
  }

  /** Empties the queue. */
  clear(): void {
    this._items = [];
    this._head = 0;
    this._bytes = 0;
  }

  private _take(): HeldOutput | undefined {
    if (this.length === 0) return undefined;
    const held = this._items[this._head]!;
    this._items[this._head] = undefined as unknown as HeldOutput;
    this._head++;
    this._bytes -= held.bytes;
    if (this.length === 0) {
      this.clear();
    } else if (this._head > 1024 && this._head * 2 > this._items.length) {
      // Compact now and then, so shifting stays O(1) amortised.
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return held;
  }

  private _items: HeldOutput[] = [];
  private _head = 0;
  private _bytes = 0;
  private _merged = 0;
}
