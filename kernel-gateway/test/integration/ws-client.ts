/**
 * A raw `ws` client of the gateway's kernel channels for tests, speaking
 * either protocol with its own (independent) framing code: legacy JSON
 * text frames and the legacy binary format for messages with buffers, or
 * the v1.kernel.websocket.jupyter.org binary protocol.
 */
import { randomUUID } from 'node:crypto';

import WebSocket from 'ws';

/** The v1 kernel WebSocket subprotocol. */
export const V1 = 'v1.kernel.websocket.jupyter.org';

/** A message as the client sees it (buffers as Buffers). */
export interface IWsMessage {
  channel: string;
  header: {
    msg_id: string;
    msg_type: string;
    session: string;
    [key: string]: unknown;
  };
  parent_header: { msg_id?: string; [key: string]: unknown };
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers?: Buffer[];
}

/** A client request message. */
export function clientMessage(
  msgType: string,
  content: Record<string, unknown>,
  session: string,
  channel = 'shell'
): IWsMessage {
  return {
    channel,
    header: {
      msg_id: randomUUID(),
      msg_type: msgType,
      session,
      username: 'test',
      date: new Date().toISOString(),
      version: '5.3'
    },
    parent_header: {},
    metadata: {},
    content
  };
}

/** An execute_request of `code`. */
export function executeRequest(code: string, session: string): IWsMessage {
  return clientMessage(
    'execute_request',
    {
      code,
      silent: false,
      store_history: false,
      user_expressions: {},
      allow_stdin: false
    },
    session
  );
}

/** The legacy binary frame of a message with buffers (u32 BE count and offsets, JSON, buffers). */
export function encodeLegacyBinary(msg: IWsMessage): Buffer {
  const { buffers = [], ...rest } = msg;
  const parts = [Buffer.from(JSON.stringify(rest)), ...buffers];
  const head = Buffer.alloc(4 * (parts.length + 1));
  head.writeUInt32BE(parts.length, 0);
  let offset = head.length;
  parts.forEach((part, i) => {
    head.writeUInt32BE(offset, 4 * (i + 1));
    offset += part.length;
  });
  return Buffer.concat([head, ...parts]);
}

function decodeLegacyBinary(data: Buffer): IWsMessage {
  const n = data.readUInt32BE(0);
  const offsets = Array.from({ length: n }, (_, i) =>
    data.readUInt32BE(4 * (i + 1))
  );
  offsets.push(data.length);
  const msg = JSON.parse(
    data.subarray(offsets[0], offsets[1]).toString('utf8')
  ) as IWsMessage;
  msg.buffers = offsets
    .slice(1, -1)
    .map((start, i) => data.subarray(start, offsets[i + 2]));
  return msg;
}

/** The v1 frame of a message (u64 LE offsets; channel, header, parent, metadata, content, buffers). */
export function encodeV1(msg: IWsMessage): Buffer {
  const parts = [
    Buffer.from(msg.channel),
    Buffer.from(JSON.stringify(msg.header)),
    Buffer.from(JSON.stringify(msg.parent_header)),
    Buffer.from(JSON.stringify(msg.metadata)),
    Buffer.from(JSON.stringify(msg.content)),
    ...(msg.buffers ?? [])
  ];
  const count = parts.length + 1;
  const table = Buffer.alloc(8 * (count + 1));
  table.writeBigUInt64LE(BigInt(count), 0);
  let offset = table.length;
  table.writeBigUInt64LE(BigInt(offset), 8);
  parts.forEach((part, i) => {
    offset += part.length;
    table.writeBigUInt64LE(BigInt(offset), 8 * (i + 2));
  });
  return Buffer.concat([table, ...parts]);
}

function decodeV1(data: Buffer): IWsMessage {
  const count = Number(data.readBigUInt64LE(0));
  const offsets = Array.from({ length: count }, (_, i) =>
    Number(data.readBigUInt64LE(8 * (i + 1)))
  );
  const part = (i: number): Buffer => data.subarray(offsets[i], offsets[i + 1]);
  const json = (i: number): never =>
    JSON.parse(part(i).toString('utf8')) as never;
  return {
    channel: part(0).toString('utf8'),
    header: json(1),
    parent_header: json(2),
    metadata: json(3),
    content: json(4),
    buffers: offsets.slice(5, -1).map((_, i) => part(5 + i))
  };
}

/** An open channels connection that collects what it receives. */
export interface IChannelsClient {
  ws: WebSocket;
  session: string;
  /** Every message received so far, in order. */
  received: IWsMessage[];
  /** Frames received, and how many were binary. */
  frames: { text: number; binary: number };
  /** Sends `msg` in this connection's protocol (legacy: binary when it has buffers). */
  send(msg: IWsMessage): void;
  /** Resolves with the first received message matching `predicate`. */
  waitFor(
    predicate: (m: IWsMessage) => boolean,
    timeoutMs?: number
  ): Promise<IWsMessage>;
  close(): Promise<void>;
}

/** Opens `/api/kernels/{id}/channels` with `?token=` in the legacy or v1 protocol. */
export async function openChannels(
  port: number,
  token: string,
  kernelId: string,
  protocol: 'legacy' | 'v1' = 'legacy'
): Promise<IChannelsClient> {
  const session = randomUUID();
  const ws = new WebSocket(
    `ws://127.0.0.1:${port}/api/kernels/${kernelId}/channels?session_id=${session}&token=${token}`,
    protocol === 'v1' ? [V1] : []
  );
  const received: IWsMessage[] = [];
  const frames = { text: 0, binary: 0 };
  ws.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data as Buffer);
    if (isBinary) frames.binary++;
    else frames.text++;
    if (protocol === 'v1') received.push(decodeV1(bytes));
    else
      received.push(
        isBinary
          ? decodeLegacyBinary(bytes)
          : (JSON.parse(bytes.toString('utf8')) as IWsMessage)
      );
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    session,
    received,
    frames,
    send: msg => {
      if (protocol === 'v1') ws.send(encodeV1(msg));
      else if (msg.buffers?.length) ws.send(encodeLegacyBinary(msg));
      else ws.send(JSON.stringify(msg));
    },
    waitFor: async (predicate, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = received.find(predicate);
        if (found) return found;
        await new Promise(resolve => setTimeout(resolve, 20));
      }
      throw new Error('timed out waiting for a message');
    },
    close: async () => {
      if (ws.readyState === ws.CLOSED) return;
      const closed = new Promise(resolve => ws.once('close', resolve));
      ws.close();
      await closed;
    }
  };
}
