import type { KernelMessage } from '@jupyterlab/services';

import { JaxLabError } from '@jaxlab/schemas';

import type { WireChannel } from './connection-info.js';

/** Message types a client may send, per channel (everything else is refused). */
export const CLIENT_REQUEST_TYPES: Readonly<
  Record<'shell' | 'control' | 'stdin', readonly string[]>
> = Object.freeze({
  shell: Object.freeze([
    'execute_request',
    'inspect_request',
    'complete_request',
    'history_request',
    'is_complete_request',
    'comm_info_request',
    'kernel_info_request',
    'comm_open',
    'comm_msg',
    'comm_close'
  ]),
  control: Object.freeze([
    'kernel_info_request',
    'interrupt_request',
    'shutdown_request',
    'debug_request'
  ]),
  stdin: Object.freeze(['input_reply'])
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function violation(message: string): JaxLabError {
  return new JaxLabError('WIRE_PROTOCOL_VIOLATION', message, {
    hint: 'Send Jupyter messaging protocol 5.x messages.'
  });
}

const HEADER_STRING_FIELDS = ['msg_id', 'msg_type', 'session'] as const;

/**
 * Asserts `value` is a Jupyter message header: `msg_id`, `msg_type` and
 * `session` are non-empty strings (at most 256 characters), `username`
 * and `version` strings when present.
 *
 * @throws JaxLabError `WIRE_PROTOCOL_VIOLATION`.
 */
export function assertHeader(
  value: unknown,
  where = 'header'
): asserts value is KernelMessage.IHeader {
  if (!isRecord(value)) throw violation(`${where} is not an object`);
  for (const field of HEADER_STRING_FIELDS) {
    const v = value[field];
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) {
      throw violation(
        `${where}.${field} must be a non-empty string of at most 256 characters`
      );
    }
  }
  // `date` is left alone: clients send ISO strings, null, or nothing.
  for (const field of ['username', 'version'] as const) {
    if (value[field] !== undefined && typeof value[field] !== 'string') {
      throw violation(`${where}.${field} must be a string`);
    }
  }
}

/**
 * Asserts `value` has the shape of a Jupyter message: a valid header, a
 * parent header that is `{}` or a valid header, object metadata and
 * content, and buffers (if any) that are binary.
 *
 * @throws JaxLabError `WIRE_PROTOCOL_VIOLATION`.
 */
export function assertMessage(
  value: unknown
): asserts value is KernelMessage.IMessage {
  if (!isRecord(value)) throw violation('message is not an object');
  assertHeader(value.header);
  const parent = value.parent_header;
  if (!isRecord(parent)) throw violation('parent_header is not an object');
  if (Object.keys(parent).length > 0) assertHeader(parent, 'parent_header');
  if (value.metadata !== undefined && !isRecord(value.metadata)) {
    throw violation('metadata is not an object');
  }
  if (!isRecord(value.content)) throw violation('content is not an object');
  if (value.buffers !== undefined) {
    if (!Array.isArray(value.buffers))
      throw violation('buffers is not an array');
    for (const b of value.buffers) {
      if (!ArrayBuffer.isView(b) && !(b instanceof ArrayBuffer)) {
        throw violation('a buffer is not binary');
      }
    }
  }
}

/**
 * Asserts `value` is a message a WebSocket client may send to a kernel: a
 * valid message on `shell`, `control` or `stdin` whose `msg_type` is a
 * known request of that channel ({@link CLIENT_REQUEST_TYPES}).
 *
 * @throws JaxLabError `WIRE_PROTOCOL_VIOLATION`.
 */
export function assertClientMessage(
  value: unknown
): asserts value is KernelMessage.IMessage & {
  channel: 'shell' | 'control' | 'stdin';
} {
  assertMessage(value);
  const channel = (value as { channel?: unknown }).channel as
    WireChannel | undefined;
  if (channel !== 'shell' && channel !== 'control' && channel !== 'stdin') {
    throw violation(
      `channel must be shell, control or stdin, not ${String(channel)}`
    );
  }
  if (!CLIENT_REQUEST_TYPES[channel].includes(value.header.msg_type)) {
    throw violation(
      `${value.header.msg_type} is not a request clients may send on ${channel}`
    );
  }
}
