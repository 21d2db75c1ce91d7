import { describe, expect, it } from 'vitest';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';

import { createMessage } from '../wire/message-factory.js';
import {
  OUTPUT_LIMITS,
  neutralizeTerminalEscapes,
  sanitizeIOPubMessage,
  sanitizeKernelMessage
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
    expect(neutralizeTerminalEscapes('\x1b]0;title\x07\x1b[2J\x1bc')).toBe(
      '\u241b]0;title\u2407\u241b[2J\u241bc'
    );
  });

  it('should show NUL, BEL, BS, VT, FF, the other C0 controls and DEL as control pictures', () => {
    expect(
      neutralizeTerminalEscapes('a\x00b\x07c\x08d\x0be\x0cf\x01\x1f\x7f')
    ).toBe('a\u2400b\u2407c\u2408d\u240be\u240cf\u2401\u241f\u2421');
  });

  it('should keep TAB, LF and CR (progress bars redraw their line with CR)', () => {
    expect(neutralizeTerminalEscapes('a\tb\nc\r\n10%\r20%')).toBe(
      'a\tb\nc\r\n10%\r20%'
    );
  });

  it('should neutralise every C1 control, the 8-bit CSI and OSC included', () => {
    expect(neutralizeTerminalEscapes('\x9b31m\x9d52;c;x\x85\x80\x9f')).toBe(
      '\u241b31m\u241b52;c;x\u241b\u241b\u241b'
    );
  });

  it('should make bidi overrides, embeddings and isolates visible', () => {
    expect(
      neutralizeTerminalEscapes('abc\u202etxt.exe\u202c \u2066x\u2069 \u202a')
    ).toBe('abc<U+202E>txt.exe<U+202C> <U+2066>x<U+2069> <U+202A>');
    // Ordinary right-to-left text is left alone.
    expect(neutralizeTerminalEscapes('שלום مرحبا')).toBe('שלום مرحبا');
  });
});

describe('sanitizeKernelMessage()', () => {
  it('should sanitise a shell reply the same way: an error name, value and traceback from a hostile exception', () => {
    const reply = createMessage({
      channel: 'shell',
      msgType: 'execute_reply',
      content: {
        status: 'error',
        ename: 'E\x1b]0;T\x07',
        evalue: '\x1b]52;c;ZXZh\x07\x00\x9b31m',
        traceback: ['\x1b]0;T\x07']
      },
      session: 's'
    });
    const content = sanitizeKernelMessage(reply).content as Record<
      string,
      unknown
    >;
    expect(content.ename).toBe('E\u241b]0;T\u2407');
    expect(content.evalue).toBe('\u241b]52;c;ZXZh\u2407\u2400\u241b31m');
    expect(content.traceback).toEqual(['\u241b]0;T\u2407']);
    expect(JSON.stringify(content)).not.toMatch(/[\x00-\x08\x1b\x7f-\x9f]/);
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
