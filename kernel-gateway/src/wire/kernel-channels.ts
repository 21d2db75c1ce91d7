import {
  setImmediate as nextMacrotask,
  setTimeout as sleep
} from 'node:timers/promises';

import type { KernelMessage } from '@jupyterlab/services';
import { Dealer, Request, Subscriber } from 'zeromq';
import type { Socket } from 'zeromq';

import { ByteRateLimiter } from './byte-rate-limiter.js';
import type { IConnectionInfo, WireChannel } from './connection-info.js';
import { channelAddress } from './connection-info.js';
import {
  deserializeMessage,
  MAX_JSON_PART_BYTES,
  serializeMessage
} from './wire-codec.js';

/**
 * Longest a receive loop processes messages that are already waiting before
 * it lets the event loop run other work (HTTP requests, other kernels).
 * ZeroMQ hands over waiting messages without a macrotask turn, so a kernel
 * that floods its channel would otherwise hold the gateway.
 */
export const RECEIVE_SLICE_MS = 4;

/**
 * Size from which a message's verification and parsing, and its handling
 * (sanitising, passing it to clients), run in two event-loop turns: each
 * takes milliseconds for a message of 1 MiB, and a request that comes in
 * meanwhile waits for one of them instead of both.
 */
export const SPLIT_MESSAGE_BYTES = 256 * 1024;

/**
 * Default most bytes per second read from one kernel's iopub channel, and
 * the burst allowed after a quiet spell (small: a burst is read at full
 * speed, before a flood is seen and its rate lowered). Past them the
 * gateway reads more slowly and the kernel waits to send (its capture
 * blocks the program's writes): nothing is dropped, and one kernel's flood
 * costs the gateway a bounded share of its time.
 */
export const IOPUB_RATE_LIMIT = Object.freeze({
  bytesPerSecond: 16 * 1024 * 1024,
  burstBytes: 4 * 1024 * 1024
});

/**
 * Most bytes per second read from a kernel's iopub while it floods (from
 * the first read its rate limit delays until FLOOD_QUIET_MS after the
 * last), or its rate limit where that is lower. Every byte read costs the
 * gateway's event loop (signature, parsing, sanitising, each client's
 * WebSocket): at 16 MiB/s of 1 MiB lines that doubled its CPU time and
 * made GET /api wait behind it.
 */
export const FLOODING_IOPUB_BYTES_PER_SECOND = 4 * 1024 * 1024;

/**
 * How long a kernel's iopub must be read without waiting on its rate limit
 * before its output flood counts as over. Longer than a second: a flooding
 * kernel at the lowest CPU priority may fall below the rate for a moment
 * on a busy host without its flood being over.
 */
export const FLOOD_QUIET_MS = 3000;

/** Messages ZeroMQ may queue on the gateway's iopub socket of one kernel. */
export const IOPUB_QUEUE_MESSAGES = 16;

/** Channels a message can be sent on from the gateway. */
export type RequestChannel = 'shell' | 'control' | 'stdin';

/**
 * The gateway's ZeroMQ sockets to one kernel: DEALER for shell, control
 * and stdin, SUB for iopub, REQ for the heartbeat. Every received frame is
 * verified and validated; bad frames are dropped and reported through
 * `onDropped`, never thrown.
 */
export class KernelChannels {
  constructor(options: KernelChannels.IOptions) {
    this._options = options;
  }

  /** Connects every socket and starts receiving. Idempotent. */
  connect(): void {
    if (this._sockets) return;
    const info = this._options.info;
    // ZeroMQ disconnects a peer that sends a larger frame before it is
    // buffered, so a hostile kernel cannot make the gateway hold one.
    const maxFrameBytes = this._options.maxFrameBytes ?? MAX_JSON_PART_BYTES;
    const make = <S extends Socket>(socket: S, channel: WireChannel): S => {
      socket.linger = 0;
      socket.maxMessageSize = maxFrameBytes;
      socket.connect(channelAddress(info, channel));
      return socket;
    };
    const iopub = new Subscriber();
    // Few messages wait in ZeroMQ's queue (its default is 1000, up to
    // 64 GiB of frames): past it the kernel's sends wait, and what the
    // gateway holds per kernel stays small.
    iopub.receiveHighWaterMark = IOPUB_QUEUE_MESSAGES;
    iopub.subscribe();
    make(iopub, 'iopub');
    this._sockets = {
      shell: make(new Dealer(), 'shell'),
      control: make(new Dealer(), 'control'),
      stdin: make(new Dealer(), 'stdin'),
      iopub
    };
    for (const channel of ['shell', 'control', 'stdin', 'iopub'] as const) {
      const socket = this._sockets[channel];
      // ZeroMQ reconnects after a lost connection, but not after a protocol
      // error such as an oversized frame: the owner must hear of both.
      socket.events.on('disconnect', () => {
        if (!this._isDisposed) this._options.onDisconnected?.(channel);
      });
      void this._receive(channel, socket);
    }
  }

  /**
   * Signs and sends `msg` on `channel`. Sends on one socket are serialised
   * (a ZeroMQ socket allows one pending send at a time).
   */
  send(channel: RequestChannel, msg: KernelMessage.IMessage): Promise<void> {
    const sockets = this._sockets;
    if (!sockets || this._isDisposed) return Promise.resolve();
    const frames = serializeMessage(msg, this._options.info.key);
    const previous = this._sendQueues[channel];
    const next = previous
      .then(() =>
        this._isDisposed ? undefined : sockets[channel].send(frames)
      )
      .catch(error => {
        if (!this._isDisposed) this._options.onDropped?.(channel, error);
      });
    this._sendQueues[channel] = next;
    return next;
  }

  /**
   * One heartbeat: sends a ping on the REQ socket and waits up to
   * `timeoutMs` for the echo. A socket that missed its reply is replaced.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    if (this._isDisposed) return false;
    if (!this._hb) {
      this._hb = new Request();
      this._hb.linger = 0;
      this._hb.receiveTimeout = timeoutMs;
      this._hb.sendTimeout = timeoutMs;
      this._hb.connect(channelAddress(this._options.info, 'hb'));
    }
    const hb = this._hb;
    try {
      const token = Buffer.from(`ping-${++this._pings}`);
      await hb.send(token);
      const [echo] = await hb.receive();
      return Buffer.compare(echo, token) === 0;
    } catch {
      hb.close();
      if (this._hb === hb) this._hb = undefined;
      return false;
    }
  }

  /** Closes every socket. Idempotent. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    clearTimeout(this._floodTimer);
    if (this._sockets) {
      for (const socket of Object.values(this._sockets)) socket.close();
    }
    this._hb?.close();
    this._hb = undefined;
  }

  private async _receive(
    channel: WireChannel,
    socket: Socket & AsyncIterable<Buffer[]>
  ): Promise<void> {
    let sliceStartMs = performance.now();
    const limiter =
      channel === 'iopub'
        ? (this._iopubLimiter = new ByteRateLimiter(this._iopubRateLimit))
        : undefined;
    try {
      for await (const frames of socket) {
        const bytes = frameBytes(frames);
        const waitMs = limiter?.take(bytes) ?? 0;
        if (waitMs > 0) {
          this._noteIOPubThrottled();
          await sleep(waitMs);
          sliceStartMs = performance.now();
        } else if (performance.now() - sliceStartMs > RECEIVE_SLICE_MS) {
          await nextMacrotask();
          sliceStartMs = performance.now();
        }
        let parsed;
        try {
          parsed = deserializeMessage(frames, this._options.info.key, channel);
        } catch (error) {
          this._options.onDropped?.(channel, error);
          continue;
        }
        if (bytes >= SPLIT_MESSAGE_BYTES) {
          await nextMacrotask();
          sliceStartMs = performance.now();
        }
        try {
          // A consumer that cannot keep up returns a promise: nothing more
          // is read from this channel until it settles, so ZeroMQ's queues
          // fill and the kernel's sends wait (back-pressure, no loss).
          const ready = this._options.onMessage(parsed.msg);
          if (ready) await ready;
        } catch (error) {
          this._options.onDropped?.(channel, error);
        }
      }
    } catch (error) {
      if (!this._isDisposed) this._options.onDropped?.(channel, error);
    }
  }

  /**
   * A flood starts at the first read its rate limit delays and ends
   * FLOOD_QUIET_MS after the last; meanwhile the kernel is read at
   * FLOODING_IOPUB_BYTES_PER_SECOND at most.
   */
  private _noteIOPubThrottled(): void {
    if (this._floodTimer) {
      this._floodTimer.refresh();
      return;
    }
    const rate = this._iopubRateLimit.bytesPerSecond;
    this._floodTimer = setTimeout(() => {
      this._floodTimer = undefined;
      if (this._iopubLimiter) this._iopubLimiter.bytesPerSecond = rate;
      if (!this._isDisposed) this._options.onIOPubFlood?.(false);
    }, FLOOD_QUIET_MS);
    this._floodTimer.unref();
    if (this._iopubLimiter) {
      this._iopubLimiter.bytesPerSecond = Math.min(
        rate,
        FLOODING_IOPUB_BYTES_PER_SECOND
      );
    }
    this._options.onIOPubFlood?.(true);
  }

  private get _iopubRateLimit(): ByteRateLimiter.IOptions {
    return this._options.iopubRateLimit ?? IOPUB_RATE_LIMIT;
  }

  private readonly _options: KernelChannels.IOptions;
  private _floodTimer: NodeJS.Timeout | undefined;
  private _iopubLimiter: ByteRateLimiter | undefined;
  private _sockets:
    | { shell: Dealer; control: Dealer; stdin: Dealer; iopub: Subscriber }
    | undefined;
  private _hb: Request | undefined;
  private _pings = 0;
  private _isDisposed = false;
  private _sendQueues: Record<RequestChannel, Promise<void>> = {
    shell: Promise.resolve(),
    control: Promise.resolve(),
    stdin: Promise.resolve()
  };
}

/** Statics of {@link KernelChannels}. */
export namespace KernelChannels {
  /** Options of {@link KernelChannels}. */
  export interface IOptions {
    info: IConnectionInfo;
    /**
     * Every verified, well-formed message from the kernel, with its channel
     * set. Returning a promise pauses receiving on that channel until it
     * settles.
     */
    onMessage: (msg: KernelMessage.IMessage) => void | Promise<void>;
    /**
     * Largest frame accepted from the kernel (default MAX_JSON_PART_BYTES);
     * a kernel that sends a larger one is disconnected for good.
     */
    maxFrameBytes?: number;
    /** Bound on iopub bytes read per second (default {@link IOPUB_RATE_LIMIT}). */
    iopubRateLimit?: ByteRateLimiter.IOptions;
    /**
     * The kernel's iopub output started (true) or stopped (false) coming
     * faster than `iopubRateLimit`: the gateway reads it more slowly.
     */
    onIOPubFlood?: (isFlooding: boolean) => void;
    /** A frame was dropped (bad signature, malformed) or a send failed. */
    onDropped?: (channel: WireChannel, error: unknown) => void;
    /**
     * The kernel's end of `channel` went away: it exited, or it broke the
     * protocol (a frame over `maxFrameBytes`) and will not be reconnected.
     */
    onDisconnected?: (channel: WireChannel) => void;
  }
}

function frameBytes(frames: readonly Buffer[]): number {
  let bytes = 0;
  for (const frame of frames) bytes += frame.length;
  return bytes;
}
