import type { KernelMessage } from '@jupyterlab/services';

import { JaxLabError } from '@jaxlab/schemas';

/** The binary WebSocket subprotocol of jupyter_server 2 and JupyterLab 4. */
export const V1_PROTOCOL = 'v1.kernel.websocket.jupyter.org';

/** The two kernel WebSocket protocols: legacy JSON, and v1 binary. */
export type WebSocketProtocol = 'legacy' | 'v1';

const MAX_OFFSETS = 1 + 4 + 64 + 1;

function bufferOf(b: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(b)
    ? Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    : Buffer.from(b);
}

function violation(message: string): JaxLabError {
  return new JaxLabError('WIRE_PROTOCOL_VIOLATION', message, {
    hint: 'Send messages in the legacy JSON or v1.kernel.websocket.jupyter.org format.'
  });
}

/**
 * One message as a WebSocket frame payload. v1: offsets table (u64 little
 * endian), channel, header, parent_header, metadata, content, buffers (as
 * jupyter_server's `serialize_msg_to_ws_v1`). Legacy: a JSON text frame
 * with a `channel` field, or, when the message carries buffers, the legacy
 * binary format (u32 big-endian count and offsets, JSON, buffers).
 */
export function serializeWsMessage(
  msg: KernelMessage.IMessage,
  protocol: WebSocketProtocol
): string | Buffer {
  const buffers = (msg.buffers ?? []).map(b =>
    bufferOf(b as ArrayBuffer | ArrayBufferView)
  );
  if (protocol === 'v1') {
    const parts = [
      Buffer.from(msg.channel, 'utf8'),
      Buffer.from(JSON.stringify(msg.header)),
      Buffer.from(JSON.stringify(msg.parent_header ?? {})),
      Buffer.from(JSON.stringify(msg.metadata ?? {})),
      Buffer.from(JSON.stringify(msg.content ?? {})),
      ...buffers
    ];
    const count = parts.length + 1;
    const table = Buffer.alloc(8 * (1 + count));
    table.writeBigUInt64LE(BigInt(count), 0);
    let offset = table.length;
    table.writeBigUInt64LE(BigInt(offset), 8);
    parts.forEach((part, i) => {
      offset += part.length;
      table.writeBigUInt64LE(BigInt(offset), 8 * (i + 2));
    });
    return Buffer.concat([table, ...parts]);
  }
  // jupyter_server's legacy frames are jupyter_client's deserialized dicts,
  // which repeat msg_id and msg_type at the top level (GatewayKernelClient
  // and nbclient read them there).
  const json = {
    channel: msg.channel,
    msg_id: msg.header.msg_id,
    msg_type: msg.header.msg_type,
    header: msg.header,
    parent_header: msg.parent_header ?? {},
    metadata: msg.metadata ?? {},
    content: msg.content
  };
  if (buffers.length === 0) return JSON.stringify(json);
  const parts = [Buffer.from(JSON.stringify(json)), ...buffers];
  const head = Buffer.alloc(4 * (parts.length + 1));
  head.writeUInt32BE(parts.length, 0);
  let offset = head.length;
  parts.forEach((part, i) => {
    head.writeUInt32BE(offset, 4 * (i + 1));
    offset += part.length;
  });
  return Buffer.concat([head, ...parts]);
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw violation(`${what} is not JSON`);
  }
}

/**
 * Parses one WebSocket frame from a client into a message (shape not yet
 * validated: run `assertClientMessage` next).
 *
 * @throws JaxLabError `WIRE_PROTOCOL_VIOLATION` for frames that do not parse.
 */
export function deserializeWsMessage(
  data: Buffer | string,
  isBinary: boolean,
  protocol: WebSocketProtocol
): unknown {
  if (protocol === 'v1') {
    if (!isBinary || typeof data === 'string')
      throw violation('v1 frames must be binary');
    if (data.length < 8) throw violation('frame too short');
    const count = Number(data.readBigUInt64LE(0));
    if (count < 6 || count > MAX_OFFSETS || data.length < 8 * (1 + count)) {
      throw violation('bad offset table');
    }
    const offsets: number[] = [];
    for (let i = 0; i < count; i++)
      offsets.push(Number(data.readBigUInt64LE(8 * (i + 1))));
    for (let i = 0; i < count; i++) {
      if (offsets[i] > data.length || (i > 0 && offsets[i] < offsets[i - 1])) {
        throw violation('offsets out of range');
      }
    }
    const part = (i: number): Buffer =>
      data.subarray(offsets[i], offsets[i + 1]);
    const buffers = [];
    for (let i = 5; i < count - 1; i++) {
      const b = Buffer.from(part(i));
      buffers.push(new DataView(b.buffer, b.byteOffset, b.byteLength));
    }
    return {
      channel: part(0).toString('utf8'),
      header: parseJson(part(1), 'header'),
      parent_header: parseJson(part(2), 'parent_header'),
      metadata: parseJson(part(3), 'metadata'),
      content: parseJson(part(4), 'content'),
      buffers
    };
  }
  if (!isBinary)
    return parseJson(Buffer.from(data as string | Buffer), 'message');
  const buf = Buffer.from(data as Buffer);
  if (buf.length < 4) throw violation('frame too short');
  const n = buf.readUInt32BE(0);
  if (n < 1 || n > MAX_OFFSETS || buf.length < 4 * (n + 1))
    throw violation('bad offset table');
  const offsets: number[] = [];
  for (let i = 1; i <= n; i++) offsets.push(buf.readUInt32BE(4 * i));
  offsets.push(buf.length);
  for (let i = 0; i < n; i++) {
    if (offsets[i] > offsets[i + 1] || offsets[i] < 4 * (n + 1))
      throw violation('offsets out of range');
  }
  const msg = parseJson(
    buf.subarray(offsets[0], offsets[1]),
    'message'
  ) as Record<string, unknown>;
  if (typeof msg !== 'object' || msg === null)
    throw violation('message is not an object');
  msg.buffers = [];
  for (let i = 1; i < n; i++) {
    const b = Buffer.from(buf.subarray(offsets[i], offsets[i + 1]));
    (msg.buffers as DataView[]).push(
      new DataView(b.buffer, b.byteOffset, b.byteLength)
    );
  }
  return msg;
}
