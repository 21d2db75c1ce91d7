import type { KernelMessage } from '@jupyterlab/services';
import type { WebSocket } from 'ws';

import type {
  IKernelClient,
  KernelSession
} from '../kernels/kernel-session.js';
import {
  canCoalesce,
  coalesceStreams,
  messageSize
} from '../kernels/replay-buffer.js';
import { assertClientMessage } from '../wire/message-validation.js';
import type { WebSocketProtocol } from './ws-codec.js';
import { deserializeWsMessage, serializeWsMessage } from './ws-codec.js';

/** Bytes buffered in the socket above which output is queued and coalesced. */
export const WS_HIGH_WATER_BYTES = 4 * 1024 * 1024;

/** Bytes queued for one slow client above which it is disconnected. */
export const WS_MAX_QUEUED_BYTES = 256 * 1024 * 1024;

/**
 * One WebSocket client of a kernel (GET /api/kernels/{id}/channels).
 * Validates what the client sends before it reaches the kernel, and
 * applies back-pressure instead of dropping output: while the socket has
 * more than {@link WS_HIGH_WATER_BYTES} unsent, messages wait in a queue
 * where consecutive stream messages of the same name and parent are
 * merged into one.
 */
export class ChannelsConnection implements IKernelClient {
  constructor(options: ChannelsConnection.IOptions) {
    this._options = options;
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
    const last = this._queue[this._queue.length - 1];
    if (last && canCoalesce(last, msg)) {
      this._queue[this._queue.length - 1] = coalesceStreams(last, msg);
      this._coalesced++;
    } else {
      this._queue.push(msg);
    }
    this._queuedBytes += messageSize(msg);
    if (this._queuedBytes > WS_MAX_QUEUED_BYTES) {
      this._options.log?.(
        `kernel ${this._options.kernel.id}: client ${this.id} is too slow (${this._queuedBytes} bytes queued); closing its connection`
      );
      this._options.ws.close(1013, 'Client too slow to receive kernel output');
      this.dispose();
      return;
    }
    this._scheduleFlush();
  }

  /** Detaches from the kernel. Idempotent. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    clearTimeout(this._flushTimer);
    this._queue = [];
    this._detach();
    if (this._coalesced > 0) {
      this._options.log?.(
        `kernel ${this._options.kernel.id}: merged ${this._coalesced} stream messages for slow client ${this.id}`
      );
    }
  }

  private _write(msg: KernelMessage.IMessage): void {
    const ws = this._options.ws;
    if (ws.readyState !== ws.OPEN) return;
    const data = serializeWsMessage(msg, this._options.protocol);
    ws.send(data, { binary: typeof data !== 'string' });
  }

  private _scheduleFlush(): void {
    if (this._flushTimer) return;
    this._flushTimer = setTimeout(() => {
      this._flushTimer = undefined;
      while (
        this._queue.length > 0 &&
        this._options.ws.bufferedAmount < WS_HIGH_WATER_BYTES
      ) {
        const msg = this._queue.shift()!;
        this._queuedBytes = Math.max(0, this._queuedBytes - messageSize(msg));
        this._write(msg);
      }
      if (this._queue.length === 0) this._queuedBytes = 0;
      else this._scheduleFlush();
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
        `kernel ${this._options.kernel.id}: refused a message from client ${this.id}: ${(error as Error).message}`
      );
      return;
    }
    this._options.kernel.sendFromClient(this, msg);
  }

  private readonly _options: ChannelsConnection.IOptions;
  private readonly _detach: () => void;
  private _queue: KernelMessage.IMessage[] = [];
  private _queuedBytes = 0;
  private _coalesced = 0;
  private _flushTimer: NodeJS.Timeout | undefined;
  private _isDisposed = false;
}

/** Statics of {@link ChannelsConnection}. */
export namespace ChannelsConnection {
  /** Options of a {@link ChannelsConnection}. */
  export interface IOptions {
    ws: WebSocket;
    kernel: KernelSession;
    protocol: WebSocketProtocol;
    clientId: string;
    log?: (line: string) => void;
  }
}
