import { KernelMessage } from '@jupyterlab/services';
import {
  deserialize,
  serialize
} from '@jupyterlab/services/lib/kernel/serialize.js';
import { describe, expect, it } from 'vitest';

import { createMessage } from '../wire/message-factory.js';
import {
  V1_PROTOCOL,
  deserializeWsMessage,
  serializeWsMessage
} from './ws-codec.js';

const toArrayBuffer = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe('serializeWsMessage()', () => {
  const msg = createMessage({
    channel: 'iopub',
    msgType: 'display_data',
    content: { data: { 'text/plain': 'é' }, metadata: {} },
    session: 's',
    buffers: [new Uint8Array([1, 2, 3])]
  });

  it('should write v1 frames that @jupyterlab/services reads', () => {
    const data = serializeWsMessage(msg, 'v1') as Buffer;
    const back = deserialize(toArrayBuffer(data), V1_PROTOCOL);
    expect(back.channel).toBe('iopub');
    expect(back.header).toEqual(msg.header);
    expect(back.content).toEqual(msg.content);
    expect(new Uint8Array((back.buffers![0] as DataView).buffer)).toEqual(
      new Uint8Array([1, 2, 3])
    );
  });

  it('should write legacy binary frames (buffers) and JSON text (no buffers) that services reads', () => {
    const binary = serializeWsMessage(msg, 'legacy') as Buffer;
    const back = deserialize(toArrayBuffer(binary), '');
    expect(back.content).toEqual(msg.content);
    expect(back.buffers).toHaveLength(1);
    const text = serializeWsMessage({ ...msg, buffers: [] }, 'legacy');
    expect(typeof text).toBe('string');
    expect(JSON.parse(text as string)).toMatchObject({
      channel: 'iopub',
      msg_type: 'display_data'
    });
  });
});

describe('deserializeWsMessage()', () => {
  it('should read what @jupyterlab/services writes in both protocols', () => {
    const msg = KernelMessage.createMessage({
      channel: 'shell',
      msgType: 'execute_request',
      session: 's',
      content: { code: 'main()' }
    });
    const v1 = serialize(msg, V1_PROTOCOL) as ArrayBuffer;
    expect(deserializeWsMessage(Buffer.from(v1), true, 'v1')).toMatchObject({
      channel: 'shell',
      content: { code: 'main()' }
    });
    const legacy = serialize(msg, '') as string;
    expect(deserializeWsMessage(legacy, false, 'legacy')).toMatchObject({
      channel: 'shell',
      content: { code: 'main()' }
    });
  });

  it('should refuse frames with bad offset tables', () => {
    const bogus = Buffer.alloc(16);
    bogus.writeBigUInt64LE(1000n, 0);
    expect(() => deserializeWsMessage(bogus, true, 'v1')).toThrow(
      expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' })
    );
    expect(() =>
      deserializeWsMessage(
        Buffer.from([0, 0, 0, 9, 0, 0, 0, 1]),
        true,
        'legacy'
      )
    ).toThrow(expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' }));
  });
});
