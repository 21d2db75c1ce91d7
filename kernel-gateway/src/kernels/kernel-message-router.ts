import { randomUUID } from 'node:crypto';

import type { KernelMessage } from '@jupyterlab/services';

import type { RequestChannel } from '../wire/kernel-channels.js';
import { createMessage } from '../wire/message-factory.js';
import type { IKernelClient } from './kernel-client.js';
import {
  checkIOPubMessage,
  sanitizeKernelMessage
} from './output-sanitizer.js';
import { ReplayBuffer } from './replay-buffer.js';
import type { LogSink } from '../log/gateway-log.js';

/** Who waits for the replies and output of one request. */
interface IPending {
  client?: IKernelClient;
  onReply?: (msg: KernelMessage.IMessage) => void;
  onIOPub?: (msg: KernelMessage.IMessage) => void | Promise<void>;
}

const MAX_PENDING = 10_000;
/** How long after an execute_reply without output the idle status is no longer waited for. */
const IDLE_AFTER_REPLY_QUIET_MS = 2000;

/**
 * The message side of one kernel: sanitises every message the kernel
 * sends, routes replies and output to the request they answer (a
 * client's, or the gateway's own), passes output to every connected
 * client, keeps it in the replay buffer while none is, and runs the
 * gateway's execute requests until their reply and idle status arrived.
 * Owned by a {@link KernelSession}, which owns the process and channels.
 */
export class KernelMessageRouter {
  constructor(options: KernelMessageRouter.IOptions) {
    this._options = options;
    this._replay = new ReplayBuffer(options.replay);
  }

  /** The gateway's session id in the messages it makes. */
  readonly session = randomUUID();

  /** Number of connected clients. */
  get clientCount(): number {
    return this._clients.size;
  }

  /** Whether an iopub message arrived since {@link resetIOPubSeen}. */
  get isIOPubSeen(): boolean {
    return this._isIOPubSeen;
  }

  resetIOPubSeen(): void {
    this._isIOPubSeen = false;
  }

  /**
   * Adds a client: it gets every later iopub message, and first whatever
   * was kept while no client was connected. Returns the function that
   * removes it again.
   */
  addClient(client: IKernelClient): () => void {
    this._clients.add(client);
    if (this._replay.length > 0) {
      client.sendBacklog(
        this._replay.take(text => this.gatewayStream('stderr', text))
      );
    }
    return () => this._clients.delete(client);
  }

  /** Sends a client's request to the kernel; its replies go back to that client only. */
  forward(client: IKernelClient, msg: KernelMessage.IMessage): void {
    const channel = msg.channel as RequestChannel;
    if (channel !== 'stdin') this._addPending(msg.header.msg_id, { client });
    this._options.send(channel, msg);
  }

  /** Sends a request of the gateway's own; returns its msg_id. */
  request(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
    pending: IPending,
    metadata?: Record<string, unknown>
  ): string {
    const msg = createMessage({
      channel,
      msgType,
      content,
      session: this.session,
      metadata
    });
    this._addPending(msg.header.msg_id, pending);
    this._internalIds.add(msg.header.msg_id);
    this._options.send(channel, msg);
    return msg.header.msg_id;
  }

  /**
   * Runs `code` on the shell channel (see `KernelSession.execute`):
   * resolves with the execute_reply content once the reply and the idle
   * status arrived, or the reply and a quiet kernel for
   * `IDLE_AFTER_REPLY_QUIET_MS`; rejects when {@link failPending} is called.
   */
  execute(
    code: string,
    options: {
      onIOPub?: (msg: KernelMessage.IIOPubMessage) => void | Promise<void>;
      metadata?: Record<string, unknown>;
    }
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    return new Promise((resolve, reject) => {
      let reply: KernelMessage.IExecuteReplyMsg['content'] | undefined;
      let isIdle = false;
      let timer: NodeJS.Timeout | undefined;
      let lastIOPubMs = Date.now();
      let isHeldBack = false;
      const waitForIdle = (): void => {
        // The idle status ends the request's output; it may trail the
        // reply by a backlog of output (the shell reply overtakes iopub).
        // Wait for it while output keeps coming, not forever.
        const quietMs = isHeldBack ? 0 : Date.now() - lastIOPubMs;
        if (quietMs >= IDLE_AFTER_REPLY_QUIET_MS) {
          isIdle = true;
          finish();
        } else {
          timer = setTimeout(waitForIdle, IDLE_AFTER_REPLY_QUIET_MS - quietMs);
        }
      };
      const finish = (): void => {
        if (reply === undefined) return;
        if (!isIdle) {
          timer ??= setTimeout(waitForIdle, IDLE_AFTER_REPLY_QUIET_MS);
          return;
        }
        clearTimeout(timer);
        this._pending.delete(msgId);
        this._executes.delete(msgId);
        resolve(reply);
      };
      const msgId = this.request(
        'shell',
        'execute_request',
        {
          code,
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true
        },
        {
          onReply: msg => {
            reply = msg.content as KernelMessage.IExecuteReplyMsg['content'];
            finish();
          },
          onIOPub: msg => {
            lastIOPubMs = Date.now();
            const ready = options.onIOPub?.(msg as KernelMessage.IIOPubMessage);
            if (ready) {
              // Output held back by the consumer is not a quiet kernel.
              isHeldBack = true;
              void ready.finally(() => {
                isHeldBack = false;
                lastIOPubMs = Date.now();
              });
            }
            if (
              msg.header.msg_type === 'status' &&
              (msg.content as { execution_state?: string }).execution_state ===
                'idle'
            ) {
              isIdle = true;
              finish();
            }
            return ready;
          }
        },
        options.metadata
      );
      this._executes.set(msgId, error => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Rejects every pending execute with `error` and forgets every request. */
  failPending(error: Error): void {
    for (const fail of this._executes.values()) fail(error);
    this._executes.clear();
    this._pending.clear();
  }

  /**
   * Takes one message from the kernel: sanitises it, then routes it.
   * Resolves (when a consumer holds back output) once the next may be read.
   */
  route(raw: KernelMessage.IMessage): void | Promise<void> {
    // Every string a kernel sends, on every channel, before anything
    // looks at it, stores it or passes it on.
    const msg = sanitizeKernelMessage(raw);
    const parentId = (msg.parent_header as Partial<KernelMessage.IHeader>)
      ?.msg_id;
    const pending = parentId ? this._pending.get(parentId) : undefined;
    if (msg.channel === 'iopub') {
      this._isIOPubSeen = true;
      return this._onIOPub(msg, pending, parentId);
    }
    if (msg.channel === 'stdin') {
      pending?.client?.send(msg);
      return;
    }
    // shell or control reply: exactly one per request.
    if (!pending) return;
    if (pending.client) {
      this._pending.delete(parentId!);
      pending.client.send(msg);
    } else if (pending.onReply) {
      if (!pending.onIOPub) {
        this._pending.delete(parentId!);
        this._internalIds.delete(parentId!);
      }
      pending.onReply(msg);
    }
  }

  /** A stream message of the gateway's own (to `parent`, if given). */
  gatewayStream(
    name: 'stdout' | 'stderr',
    text: string,
    parent?: KernelMessage.IHeader
  ): KernelMessage.IMessage {
    return createMessage({
      channel: 'iopub',
      msgType: 'stream',
      content: { name, text },
      session: this.session,
      parentHeader: parent ?? {}
    });
  }

  /** Tells every connected client the kernel's execution state. */
  broadcastStatus(state: string): void {
    const msg = createMessage({
      channel: 'iopub',
      msgType: 'status',
      content: { execution_state: state },
      session: this.session
    });
    for (const client of this._clients) client.send(msg);
  }

  private _onIOPub(
    sanitized: KernelMessage.IMessage,
    pending: IPending | undefined,
    parentId: string | undefined
  ): void | Promise<void> {
    if ((sanitized.header.msg_type as string) === 'iopub_welcome') return;
    const { msg, problem } = checkIOPubMessage(sanitized);
    if (problem) {
      this._options.log?.(`kernel ${this._options.kernelId}: ${problem}`, {
        event: 'kernel:output-refused',
        level: 'warn'
      });
    }
    const out =
      msg ??
      (problem?.startsWith('invalid metrics')
        ? this.gatewayStream(
            'stderr',
            `[jaxlab-gateway] ${problem}\n`,
            sanitized.header
          )
        : undefined);
    if (!out) return;
    if (out.header.msg_type === 'status') {
      this._options.onStatus(
        String((out.content as { execution_state: string }).execution_state)
      );
    }
    const ready = pending?.onIOPub?.(out);
    if (this._clients.size > 0) {
      for (const client of this._clients) client.send(out);
    } else if (!(parentId && this._internalIds.has(parentId))) {
      this._replay.push(out);
    }
    return ready;
  }

  private _addPending(msgId: string, pending: IPending): void {
    this._pending.set(msgId, pending);
    if (this._pending.size > MAX_PENDING) {
      const oldest = this._pending.keys().next().value as string;
      this._pending.delete(oldest);
      this._internalIds.delete(oldest);
    }
  }

  private readonly _options: KernelMessageRouter.IOptions;
  private readonly _clients = new Set<IKernelClient>();
  private readonly _pending = new Map<string, IPending>();
  private readonly _internalIds = new Set<string>();
  private readonly _executes = new Map<string, (error: Error) => void>();
  private readonly _replay: ReplayBuffer;
  private _isIOPubSeen = false;
}

/** Option types of {@link KernelMessageRouter}. */
export namespace KernelMessageRouter {
  export interface IOptions {
    /** The kernel's id, for the log. */
    kernelId: string;
    /** Sends a message to the kernel on `channel` (if it is connected). */
    send: (channel: RequestChannel, msg: KernelMessage.IMessage) => void;
    /** The kernel published its execution state. */
    onStatus: (state: string) => void;
    replay?: Partial<ReplayBuffer.IOptions>;
    log?: LogSink;
  }
}
