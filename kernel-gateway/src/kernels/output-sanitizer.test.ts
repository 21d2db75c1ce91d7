import { describe, expect, it } from 'vitest';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';

import { createMessage } from '../wire/message-factory.js';
import {
  OUTPUT_LIMITS,
  neutralizeTerminalEscapes,
  sanitizeIOPubMessage
} from './output-sanitizer.js';

const stream = (text: string, parent = 'p1') =>
  createMessage({
    channel: 'iopub',
    msgType: 'stream',
    content: { name: 'stdout', text },
    session: 's',
    parentHeader: {
      msg_id: parent,
      msg_type: 'execute_request',
      session: 'c',
      username: '',
      date: '',
      version: '5.3'
    }
  });

describe('neutralizeTerminalEscapes()', () => {
  it('should keep SGR colours and neutralise every other escape', () => {
    expect(neutralizeTerminalEscapes('\x1b[1;31mred\x1b[0m')).toBe(
      '\x1b[1;31mred\x1b[0m'
    );
    expect(
      neutralizeTerminalEscapes('\x1b]0;title\x07\x1b[2J\x1bc\x9b6n')
    ).toBe('\u241b]0;title\x07\u241b[2J\u241bc\u241b6n');
  });
});

describe('sanitizeIOPubMessage()', () => {
  it('should cap long text, replace lone surrogates and drop a kernel-claimed dead status', () => {
    const long = sanitizeIOPubMessage(
      stream('x'.repeat(OUTPUT_LIMITS.maxStringChars + 10) + '\ud800')
    );
    const text = (long.msg!.content as { text: string }).text;
    expect(text.length).toBeLessThan(OUTPUT_LIMITS.maxStringChars + 200);
    expect(text).toMatch(
      /\n\[jaxlab-gateway: 1[01] more characters of this output were cut\]\n$/
    );
    const dead = createMessage({
      channel: 'iopub',
      msgType: 'status',
      content: { execution_state: 'dead' },
      session: 's'
    });
    expect(sanitizeIOPubMessage(dead).msg).toBeUndefined();
    expect(
      (
        sanitizeIOPubMessage(stream('a\ud800b')).msg!.content as {
          text: string;
        }
      ).text
    ).toBe('a\ufffdb');
  });

  it('should drop metrics that break the schema and keep valid ones', () => {
    const display = (metrics: unknown) =>
      createMessage({
        channel: 'iopub',
        msgType: 'display_data',
        content: { data: { [METRICS_MIME_TYPE]: metrics }, metadata: {} },
        session: 's'
      });
    const bad = sanitizeIOPubMessage(display({ compileTimeS: 'fast' }));
    expect(bad.msg).toBeUndefined();
    expect(bad.problem).toMatch(/invalid metrics/);
  });
});
