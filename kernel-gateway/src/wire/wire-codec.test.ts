import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { createMessage } from './message-factory.js';
import { assertClientMessage } from './message-validation.js';
import {
  DELIMITER,
  deserializeMessage,
  serializeMessage,
  signParts
} from './wire-codec.js';

const fixture = JSON.parse(
  readFileSync(
    new URL(
      '../../../schemas/fixtures/wire/stream-signed.json',
      import.meta.url
    ),
    'utf8'
  )
) as {
  key: string;
  frames_base64: string[];
  message: Record<string, unknown>;
  signature: string;
};
const frames = fixture.frames_base64.map(f => Buffer.from(f, 'base64'));

describe('deserializeMessage()', () => {
  it('should read a message signed by jupyter_client, identities included', () => {
    const { identities, msg } = deserializeMessage(
      frames,
      fixture.key,
      'iopub'
    );
    expect(identities.map(String)).toEqual(['ident-1']);
    expect(msg.header).toEqual(fixture.message.header);
    expect(msg.parent_header).toEqual(fixture.message.parent_header);
    expect(msg.content).toEqual({
      name: 'stdout',
      text: 'h\u00e9llo \u2603\n'
    });
    expect(msg.channel).toBe('iopub');
    expect(msg.buffers).toEqual([]);
  });

  it('should reject a tampered content frame, a wrong key and a missing delimiter', () => {
    const tampered = [...frames];
    tampered[6] = Buffer.from(JSON.stringify({ name: 'stdout', text: 'evil' }));
    expect(() => deserializeMessage(tampered, fixture.key, 'iopub')).toThrow(
      expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' })
    );
    expect(() => deserializeMessage(frames, 'other-key', 'iopub')).toThrow(
      expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' })
    );
    expect(() =>
      deserializeMessage(
        frames.filter(f => !f.equals(DELIMITER)),
        fixture.key,
        'iopub'
      )
    ).toThrow(expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' }));
  });

  it('should replace invalid UTF-8 instead of failing', () => {
    const msg = createMessage({
      channel: 'iopub',
      msgType: 'stream',
      content: { name: 'stdout', text: 'x' },
      session: 's'
    });
    const out = serializeMessage(msg, 'k');
    out[out.indexOf(DELIMITER) + 5] = Buffer.concat([
      Buffer.from('{"name":"stdout","text":"a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('b"}')
    ]);
    out[out.indexOf(DELIMITER) + 1] = Buffer.from(
      signParts(
        'k',
        out.slice(out.indexOf(DELIMITER) + 2, out.indexOf(DELIMITER) + 6)
      )
    );
    const { msg: back } = deserializeMessage(out, 'k', 'iopub');
    expect((back.content as { text: string }).text).toBe('a\ufffd\ufffdb');
  });
});

describe('serializeMessage()', () => {
  it('should produce frames that deserialize to the same message under the same key', () => {
    const msg = createMessage({
      channel: 'shell',
      msgType: 'execute_request',
      content: { code: 'main()' },
      session: 'gw',
      buffers: [new Uint8Array([9, 8, 7])]
    });
    const wire = serializeMessage(msg, 'secret', [Buffer.from('id')]);
    expect(wire[1].equals(DELIMITER)).toBe(true);
    const { msg: back } = deserializeMessage(wire, 'secret', 'shell');
    expect(back.header).toEqual(msg.header);
    expect(back.content).toEqual({ code: 'main()' });
    expect(back.buffers).toHaveLength(1);
  });
});

describe('assertClientMessage()', () => {
  it('should accept known requests and refuse replies, iopub and unknown types', () => {
    const ok = createMessage({
      channel: 'shell',
      msgType: 'execute_request',
      content: {},
      session: 's'
    });
    expect(() => assertClientMessage(ok)).not.toThrow();
    for (const [channel, msgType] of [
      ['shell', 'execute_reply'],
      ['iopub', 'stream'],
      ['control', 'execute_request'],
      ['stdin', 'input_request']
    ] as const) {
      const bad = createMessage({
        channel,
        msgType,
        content: {},
        session: 's'
      });
      expect(() => assertClientMessage(bad)).toThrow(
        expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' })
      );
    }
    expect(() =>
      assertClientMessage({ channel: 'shell', header: { msg_id: 1 } })
    ).toThrow(expect.objectContaining({ code: 'WIRE_PROTOCOL_VIOLATION' }));
  });
});
