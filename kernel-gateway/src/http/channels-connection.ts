import type { KernelMessage } from '@jupyterlab/services';
import type { WebSocket } from 'ws';

import type { IKernelClient } from '../kernels/kernel-client.js';
import type { KernelSession } from '../kernels/kernel-session.js';
import { OutputQueue } from '../kernels/output-queue.js';
import { assertClientMessage } from '../wire/message-validation.js';
import type { WebSocketProtocol } from './ws-codec.js';
import { deserializeWsMessage, serializeWsMessage } from './ws-codec.js';
import type { LogSink } from '../log/gateway-log.js';

/** Bytes buffered in the socket above which output is queued and coalesced. */
export const WS_HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Longest one flush of queued messages runs before it yields. */
const FLUSH_SLICE_MS = 4;

/** Bytes queued for one slow client above which it is disconnected. */
export const WS_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * One WebSocket client of a kernel (GET /api/kernels/{id}/channels).
 * Validates what the client sends before it reaches the kernel, and
 * applies back-pressure instead of dropping output: while the socket has
 * more than {@link WS_HIGH_WATER_BYTES} unsent, messages wait in a queue
 * where consecutive stream messages of the same name and parent are
 * merged (into messages of at most 1 MiB, so that sending one never holds
 * the event loop long). A client more than `maxQueuedBytes` behind is
 * disconnected (close 1013) rather than held in memory.
 */
export class ChannelsConnection implements IKernelClient {
  constructor(options: ChannelsConnection.IOptions) {
    this._options = options;
    this._maxQueuedBytes = options.maxQueuedBytes ?? WS_MAX_QUEUED_BYTES;
    this.id = options.clientId;
    const ws = options.ws;
    ws.on('message', (data, isBinary) =>
      this._onMessage(
        Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data as ArrayBuffer),
        isBinary
      )
    );
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
    this._detach = options.kernel.attachClient(this);
  }

  /** Client id (the `session_id` query parameter, or a generated one). */
  readonly id: string;

  /** Sends one message, or queues (and coalesces) it while the client is slow. */
  send(msg: KernelMessage.IMessage): void {
    if (this._isDisposed) return;
    if (
      this._queue.length === 0 &&
      this._options.ws.bufferedAmount < WS_HIGH_WATER_BYTES
    ) {
      this._write(msg);
      return;
    }
    this._queue.push(msg);
    if (this._queue.bytes > this._maxQueuedBytes) {
      this._options.log?.(
        `kernel ${this._options.kernel.id}: client ${this.id} is too slow (${this._queue.bytes} bytes queued); closing its connection`,
        { event: 'client:too-slow', level: 'warn' }
      );
      this._options.ws.close(1013, 'Client too slow to receive kernel output');
      this.dispose();
      return;
    }
    this._scheduleFlush();
  }

  /** Sends `backlog` first, at the socket's pace, then what comes later. */
  sendBacklog(backlog: OutputQueue): void {
    if (this._isDisposed) return;
    const later = this._queue;
    this._queue = backlog;
    this._queue.append(later);
    this._scheduleFlush();
  }

  /** Detaches from the kernel. Idempotent. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    clearTimeout(this._flushTimer);
    const merged = this._queue.merged;
    this._queue.clear();
    this._detach();
    if (merged > 0) {
      this._options.log?.(
        `kernel ${this._options.kernel.id}: merged ${merged} stream messages for slow client ${this.id}`,
        { event: 'client:merged' }
      );
    }
  }

  private _write(msg: KernelMessage.IMessage): void {
    const ws = this._options.ws;
    if (ws.readyState !== ws.OPEN) return;
    const data = serialized(msg, this._options.protocol);
    ws.send(data, { binary: typeof data !== 'string' });
  }

  private _scheduleFlush(): void {
    if (this._flushTimer) return;
    this._flushTimer = setTimeout(() => {
      this._flushTimer = undefined;
      // A few ms per turn at most: a long backlog must not hold the loop.
      const startedMs = performance.now();
      while (
        this._queue.length > 0 &&
        this._options.ws.bufferedAmount < WS_HIGH_WATER_BYTES &&
        performance.now() - startedMs < FLUSH_SLICE_MS
      ) {
        this._write(this._queue.shift()!.msg);
      }
      if (this._queue.length > 0) this._scheduleFlush();
    }, 5);
  }

  private _onMessage(data: Buffer, isBinary: boolean): void {
    let msg: unknown;
    try {
      msg = deserializeWsMessage(
        isBinary ? data : data.toString('utf8'),
        isBinary,
        this._options.protocol
      );
      // Like jupyter_server: a legacy message without a channel goes to shell
      // (jupyter_server's GatewayKernelClient sends none).
      if (
        typeof msg === 'object' &&
        msg !== null &&
        (msg as { channel?: unknown }).channel == null
      ) {
        (msg as { channel: string }).channel = 'shell';
      }
      assertClientMessage(msg);
    } catch (error) {
      this._options.log?.(
        `kernel ${this._options.kernel.id}: refused a message from client ${this.id}: ${(error as Error).message}`,
        { event: 'client:message-refused', level: 'warn' }
      );
      return;
    }
    this._options.kernel.sendFromClient(this, msg);
  }

  private readonly _options: ChannelsConnection.IOptions;
  private readonly _maxQueuedBytes: number;
  private readonly _detach: () => void;
  private _queue = new OutputQueue();
  private _flushTimer: NodeJS.Timeout | undefined;
  private _isDisposed = false;
}

/** Statics of {@link ChannelsConnection}. */
export namespace ChannelsConnection {
  /** Options of {@link ChannelsConnection}. */
  export interface IOptions {
    ws: WebSocket;
    kernel: KernelSession;
    protocol: WebSocketProtocol;
    clientId: string;
    /** Bytes queued above which the client is disconnected; default {@link WS_MAX_QUEUED_BYTES}. */
    maxQueuedBytes?: number;
    log?: LogSink;
  }
}

// Every client of a kernel gets the same message object: serialise it once
// per protocol, not once per client.
const frames = new WeakMap<
  KernelMessage.IMessage,
  Partial<Record<WebSocketProtocol, string | Buffer>>
>();

function serialized(
  msg: KernelMessage.IMessage,
  protocol: WebSocketProtocol
): string | Buffer {
  let byProtocol = frames.get(msg);
  if (!byProtocol) {
    byProtocol = {};
    frames.set(msg, byProtocol);
  }
  return (byProtocol[protocol] ??= serializeWsMessage(msg, protocol));
}
