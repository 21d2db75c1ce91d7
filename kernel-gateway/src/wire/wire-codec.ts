import { createHmac, timingSafeEqual } from 'node:crypto';

import type { KernelMessage } from '@jupyterlab/services';

import { JaxLabError } from '@jaxlab/schemas';

import type { WireChannel } from './connection-info.js';
import { assertMessage } from './message-validation.js';

/** The frame separating ZeroMQ routing identities from the message. */
export const DELIMITER = Buffer.from('<IDS|MSG>', 'latin1');

/** Largest JSON part (header, parent_header, metadata or content) accepted. */
export const MAX_JSON_PART_BYTES = 64 * 1024 * 1024;

/** A message as it travelled over ZeroMQ, with its routing identities. */
export interface IWireMessage {
  identities: Buffer[];
  msg: KernelMessage.IMessage;
}

/**
 * The HMAC-SHA256 signature (hex) of a message's four JSON parts, as the
 * protocol defines it (buffers are not signed). An empty key means
 * signing is off and the signature is empty.
 *
 * @see https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
export function signParts(key: string, parts: readonly Uint8Array[]): string {
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Compares two signatures in constant time (for equal lengths). */
export function signaturesMatch(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(received, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The ZeroMQ frames of `msg`: identities, `<IDS|MSG>`, signature, header,
 * parent_header, metadata, content, then buffers.
 *
 * @example
 * ```ts
 * await dealer.send(serializeMessage(msg, info.key));
 * ```
 */
export function serializeMessage(
  msg: KernelMessage.IMessage,
  key: string,
  identities: readonly Buffer[] = []
): Buffer[] {
  const parts = [
    msg.header,
    msg.parent_header ?? {},
    msg.metadata ?? {},
    msg.content ?? {}
  ].map(part => Buffer.from(JSON.stringify(part), 'utf8'));
  const buffers = (msg.buffers ?? []).map(b =>
    ArrayBuffer.isView(b)
      ? Buffer.from(b.buffer, b.byteOffset, b.byteLength)
      : Buffer.from(b as ArrayBuffer)
  );
  return [
    ...identities,
    DELIMITER,
    Buffer.from(signParts(key, parts), 'latin1'),
    ...parts,
    ...buffers
  ];
}

const decoder = new TextDecoder('utf-8', { fatal: false });

function parseJsonPart(frame: Buffer, what: string): unknown {
  if (frame.length > MAX_JSON_PART_BYTES) {
    throw violation(
      `${what} is ${frame.length} bytes, over the ${MAX_JSON_PART_BYTES} byte limit`
    );
  }
  try {
    // Invalid UTF-8 becomes U+FFFD here instead of failing the message.
    return JSON.parse(decoder.decode(frame));
  } catch (error) {
    throw violation(`${what} is not JSON: ${String(error)}`);
  }
}

function violation(message: string): JaxLabError {
  return new JaxLabError('WIRE_PROTOCOL_VIOLATION', message, {
    hint: 'The kernel sent a frame that breaks the Jupyter wire protocol; it was dropped.'
  });
}

/**
 * Parses and checks ZeroMQ frames received on `channel`: finds the
 * delimiter, verifies the HMAC signature in constant time, parses the JSON
 * parts (invalid UTF-8 replaced) and validates the message's shape.
 *
 * @throws JaxLabError `WIRE_PROTOCOL_VIOLATION` for malformed or badly
 *   signed frames; callers drop and log them.
 */
export function deserializeMessage(
  frames: readonly Buffer[],
  key: string,
  channel: WireChannel
): IWireMessage {
  const at = frames.findIndex(f => f.equals(DELIMITER));
  if (at < 0) throw violation('no <IDS|MSG> delimiter');
  if (frames.length < at + 6)
    throw violation('fewer than 5 frames after the delimiter');
  const signature = frames[at + 1].toString('latin1');
  const parts = frames.slice(at + 2, at + 6);
  if (!signaturesMatch(signParts(key, parts), signature)) {
    throw violation('bad HMAC signature');
  }
  const msg = {
    channel,
    header: parseJsonPart(parts[0], 'header'),
    parent_header: parseJsonPart(parts[1], 'parent_header'),
    metadata: parseJsonPart(parts[2], 'metadata'),
    content: parseJsonPart(parts[3], 'content'),
    buffers: frames
      .slice(at + 6)
      .map(b => new DataView(b.buffer, b.byteOffset, b.byteLength))
  };
  assertMessage(msg);
  return { identities: frames.slice(0, at).map(f => Buffer.from(f)), msg };
}
