import { describe, expect, it } from 'vitest';

import type { KernelMessage } from '@jupyterlab/services';

import { createMessage } from '../wire/message-factory.js';
import { MAX_MERGED_STREAM_BYTES, OutputQueue } from './output-queue.js';
import { ReplayBuffer } from './replay-buffer.js';

const stream = (text: string, parent = 'p1'): KernelMessage.IMessage =>
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

const textOf = (msg: KernelMessage.IMessage): string =>
  (msg.content as { text: string }).text;

/** Everything the next client would get, in order. */
function drain(buffer: ReplayBuffer): KernelMessage.IMessage[] {
  const queue = buffer.take(text => stream(text, 'note'));
  const out: KernelMessage.IMessage[] = [];
  for (let item = queue.shift(); item; item = queue.shift()) out.push(item.msg);
  return out;
}

describe('OutputQueue', () => {
  it('should merge consecutive streams of one parent into messages of at most MAX_MERGED_STREAM_BYTES', () => {
    const queue = new OutputQueue();
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = 100; // 6.25 MiB of one stream
    for (let i = 0; i < chunks; i++) queue.push(stream(chunk));
    const texts: string[] = [];
    for (let item = queue.shift(); item; item = queue.shift()) {
      texts.push(textOf(item.msg));
    }
    expect(texts.join('')).toBe(chunk.repeat(chunks));
    expect(Math.max(...texts.map(t => t.length))).toBeLessThanOrEqual(
      MAX_MERGED_STREAM_BYTES
    );
    expect(texts.length).toBe(
      Math.ceil((chunks * chunk.length) / MAX_MERGED_STREAM_BYTES)
    );
    expect(queue.bytes).toBe(0);
  });

  it('should keep other messages and other parents apart, in order', () => {
    const queue = new OutputQueue();
    queue.push(stream('a', 'p1'));
    queue.push(stream('b', 'p2'));
    queue.push(stream('c', 'p2'));
    expect(queue.length).toBe(2);
    expect(queue.merged).toBe(1);
    expect(textOf(queue.shift()!.msg)).toBe('a');
    expect(textOf(queue.shift()!.msg)).toBe('bc');
  });
});

describe('ReplayBuffer', () => {
  it('should merge consecutive streams of one parent and say exactly what it dropped', () => {
    const buffer = new ReplayBuffer({ maxBytes: 4000, maxMessages: 3 });
    buffer.push(stream('a\n'));
    buffer.push(stream('b\n'));
    expect(buffer.length).toBe(1);
    for (let i = 0; i < 5; i++) buffer.push(stream(`${i}\n`, `p${i + 2}`));
    const out = drain(buffer);
    expect(textOf(out[0]!)).toMatch(
      /3 earlier output messages \(\d+ bytes\) were dropped/
    );
    expect(out.slice(1).map(textOf)).toEqual(['2\n', '3\n', '4\n']);
    expect(buffer.length).toBe(0);
  });

  it('should hold its byte bound when the flood is one endless stream', () => {
    const maxBytes = 4 * 1024 * 1024;
    const buffer = new ReplayBuffer({ maxBytes });
    const chunk = 'y'.repeat(65535) + '\n';
    const pushes = 2000; // 125 MiB of one stream of one parent
    for (let i = 0; i < pushes; i++) {
      buffer.push(stream(chunk));
      expect(buffer.bytes).toBeLessThanOrEqual(maxBytes);
    }
    const out = drain(buffer);
    const note = textOf(out[0]!);
    const kept = out.slice(1).map(textOf);
    const dropped = Number(/\((\d+) bytes\)/.exec(note)?.[1]);
    expect(note).toMatch(/earlier output messages .* were dropped/);
    expect(kept.join('').length).toBeLessThanOrEqual(maxBytes);
    // What was kept is the newest output, whole chunks of it.
    expect(kept.join('')).toBe(
      chunk.repeat(kept.join('').length / chunk.length)
    );
    // Kept and dropped add up to everything pushed (plus each message's overhead).
    expect(dropped + kept.join('').length).toBeGreaterThanOrEqual(
      pushes * chunk.length
    );
  });

  it('should not keep a single message larger than its whole bound, and say so', () => {
    const buffer = new ReplayBuffer({ maxBytes: 1000 });
    buffer.push(
      createMessage({
        channel: 'iopub',
        msgType: 'display_data',
        content: { data: { 'text/plain': 'z'.repeat(5000) }, metadata: {} },
        session: 's'
      })
    );
    expect(buffer.bytes).toBe(0);
    const out = drain(buffer);
    expect(out).toHaveLength(1);
    expect(textOf(out[0]!)).toMatch(/1 earlier output messages/);
  });
});
