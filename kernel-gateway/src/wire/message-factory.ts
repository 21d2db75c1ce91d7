import { randomUUID } from 'node:crypto';

import type { KernelMessage } from '@jupyterlab/services';

/** The messaging protocol version the gateway speaks. */
export const PROTOCOL_VERSION = '5.3';

/** Options of {@link createMessage}. */
export interface ICreateMessageOptions {
  channel: KernelMessage.Channel;
  msgType: string;
  content: Record<string, unknown>;
  /** Session id of the sender (the gateway uses one per kernel). */
  session: string;
  parentHeader?: KernelMessage.IHeader | Record<string, never>;
  metadata?: Record<string, unknown>;
  username?: string;
  buffers?: (ArrayBuffer | ArrayBufferView)[];
}

/**
 * A new Jupyter message with a fresh `msg_id` and the current date.
 *
 * @example
 * ```ts
 * const msg = createMessage({ channel: 'shell', msgType: 'kernel_info_request', content: {}, session });
 * ```
 */
export function createMessage(
  options: ICreateMessageOptions
): KernelMessage.IMessage {
  return {
    channel: options.channel,
    header: {
      msg_id: randomUUID(),
      msg_type: options.msgType as KernelMessage.MessageType,
      session: options.session,
      username: options.username ?? 'jaxlab-gateway',
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION
    },
    parent_header: (options.parentHeader ?? {}) as KernelMessage.IHeader,
    metadata: options.metadata ?? {},
    content: options.content,
    buffers: options.buffers
  } as KernelMessage.IMessage;
}
