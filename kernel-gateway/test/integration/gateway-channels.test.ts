/**
 * The kernel channels WebSocket over live sockets with raw `ws`: a slow
 * client gets every line through back-pressure and coalescing, messages
 * with buffers travel as legacy binary frames both ways, and the
 * v1.kernel.websocket.jupyter.org protocol works end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';
import {
  V1,
  clientMessage,
  executeRequest,
  openChannels
} from './ws-client.js';
import type { IChannelsClient, IWsMessage } from './ws-client.js';
import type { KernelSession } from '@jaxlab/kernel-gateway';

const PROGRAM = `import sys


def main(n=3):
    for i in range(n):
        print("line", i)
    return {"n": float(n)}


def flood(lines=100000):
    pad = "." * 280
    for i in range(lines):
        print(f"{i:06d} {pad}")


def hostile():
    raise type("E\\x1b]0;T\\x07", (Exception,), {})("\\x1b]52;c;ZXZh\\x07\\x00\\x9b31m\\u202e")


def send_buffer():
    """Publishes a display_data carrying a binary buffer (as widgets do)."""
    kernel = sys.modules["jaxlab_harness.kernel"].JaxLabKernel.instance()
    content = {"data": {"text/plain": "with a buffer"}, "metadata": {}, "transient": {}}
    with kernel._send_lock:
        kernel.session.send(
            kernel.iopub_socket, "display_data", content, parent=kernel.get_parent(),
            ident=kernel._topic("display_data"), buffers=[bytes([0, 1, 2, 255]) + b"binary"],
        )
`;

const BUFFER = Buffer.concat([
  Buffer.from([0, 1, 2, 255]),
  Buffer.from('binary')
]);

function streamOf(messages: IWsMessage[], parentId: string): IWsMessage[] {
  return messages.filter(
    m =>
      m.channel === 'iopub' &&
      m.header.msg_type === 'stream' &&
      m.parent_header.msg_id === parentId
  );
}

function isIdleOf(parentId: string): (m: IWsMessage) => boolean {
  return m =>
    m.channel === 'iopub' &&
    m.header.msg_type === 'status' &&
    m.content.execution_state === 'idle' &&
    m.parent_header.msg_id === parentId;
}

describe('kernel channels WebSocket over live sockets', () => {
  let gw: ITestGateway;
  let kernel: KernelSession;
  const clients: IChannelsClient[] = [];

  async function open(
    protocol: 'legacy' | 'v1' = 'legacy'
  ): Promise<IChannelsClient> {
    const client = await openChannels(gw.port, gw.token, kernel.id, protocol);
    clients.push(client);
    return client;
  }

  /** Runs `code` from `client` and resolves with the reply once the kernel is idle again. */
  async function run(
    client: IChannelsClient,
    code: string
  ): Promise<{ id: string; reply: IWsMessage }> {
    const request = executeRequest(code, client.session);
    client.send(request);
    const id = request.header.msg_id;
    const reply = await client.waitFor(
      m =>
        m.header.msg_type === 'execute_reply' && m.parent_header.msg_id === id
    );
    await client.waitFor(isIdleOf(id));
    return { id, reply };
  }

  beforeAll(async () => {
    gw = await startTestGateway();
    kernel = await gw.kernels.startKernel({
      files: { 'main.py': PROGRAM },
      designatedFunctions: ['main', 'flood', 'send_buffer', 'hostile'],
      extraImports: ['sys']
    });
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await gw?.dispose();
  });

  it('should give a client that stopped reading every line, in order, coalesced and without drops', async () => {
    const fast = await open();
    const slow = await open();
    slow.ws.pause();
    // ~29 MB: more than loopback TCP buffers plus the 4 MiB high-water mark hold
    const lines = 100_000;
    const { id, reply } = await run(fast, `flood(lines=${lines})`);
    expect(reply.content.status).toBe('ok');
    // While paused, the slow client has far from everything.
    const slowBefore = streamOf(slow.received, id).length;
    expect(slowBefore).toBeLessThan(streamOf(fast.received, id).length);

    slow.ws.resume();
    await slow.waitFor(isIdleOf(id), 60_000);
    const pad = '.'.repeat(280);
    const expected = Array.from(
      { length: lines },
      (_, i) => `${String(i).padStart(6, '0')} ${pad}\n`
    ).join('');
    const text = (messages: IWsMessage[]): string =>
      streamOf(messages, id)
        .map(m => String(m.content.text))
        .join('');
    expect(text(fast.received) === expected).toBe(true);
    expect(text(slow.received) === expected).toBe(true);
    // The slow client got the same text in fewer (merged) messages.
    const slowCount = streamOf(slow.received, id).length;
    const fastCount = streamOf(fast.received, id).length;
    expect(fastCount).toBeLessThan(lines);
    expect(slowCount).toBeLessThan(fastCount);
    for (const client of [fast, slow]) {
      expect(JSON.stringify(client.received)).not.toContain(
        'IOPub data rate exceeded'
      );
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    }
    await slow.close();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(
      gw.log.some(l => /merged \d+ stream messages for slow client/.test(l))
    ).toBe(true);
    await fast.close();
  });

  it('should take a legacy binary frame with buffers to the kernel and refuse a malformed one', async () => {
    const client = await open();
    const comm = clientMessage(
      'comm_msg',
      { comm_id: 'c-1', data: { hello: 1 } },
      client.session
    );
    comm.buffers = [BUFFER];
    client.send(comm);
    // The kernel got and parsed it: it went busy and idle for this very message.
    await client.waitFor(isIdleOf(comm.header.msg_id));
    expect(client.frames.binary).toBe(0);

    const broken = Buffer.alloc(12);
    broken.writeUInt32BE(2, 0); // two parts, offsets past the end
    broken.writeUInt32BE(999, 4);
    broken.writeUInt32BE(5, 8);
    client.ws.send(broken);
    const { reply } = await run(client, 'main(n=1)');
    expect(reply.content.status).toBe('ok');
    expect(
      gw.log.some(
        l =>
          l.includes('refused a message') && l.includes('offsets out of range')
      )
    ).toBe(true);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('should send a kernel message with buffers to a legacy client as a binary frame', async () => {
    const client = await open();
    const { id, reply } = await run(client, 'send_buffer()');
    expect(reply.content.status).toBe('ok');
    const display = await client.waitFor(
      m =>
        m.header.msg_type === 'display_data' &&
        m.parent_header.msg_id === id &&
        (m.buffers?.length ?? 0) > 0
    );
    expect(client.frames.binary).toBeGreaterThanOrEqual(1);
    expect(display.channel).toBe('iopub');
    expect(display.content.data).toEqual({ 'text/plain': 'with a buffer' });
    expect(Buffer.compare(display.buffers![0]!, BUFFER)).toBe(0);
  });

  it(`should speak ${V1} end to end: binary frames, replies, streams and buffers`, async () => {
    const client = await open('v1');
    expect(client.ws.protocol).toBe(V1);
    const { id, reply } = await run(client, 'main(n=3)');
    expect(reply.channel).toBe('shell');
    expect(reply.content.status).toBe('ok');
    const text = streamOf(client.received, id)
      .map(m => String(m.content.text))
      .join('');
    expect(text).toBe('line 0\nline 1\nline 2\n');
    expect(client.frames.text).toBe(0);

    const withBuffer = await run(client, 'send_buffer()');
    const display = await client.waitFor(
      m =>
        m.header.msg_type === 'display_data' &&
        m.parent_header.msg_id === withBuffer.id &&
        (m.buffers?.length ?? 0) > 0
    );
    expect(Buffer.compare(display.buffers![0]!, BUFFER)).toBe(0);

    const comm = clientMessage(
      'comm_msg',
      { comm_id: 'c-2', data: {} },
      client.session
    );
    comm.buffers = [BUFFER];
    client.send(comm);
    await client.waitFor(isIdleOf(comm.header.msg_id));

    // A text frame is not v1: refused, and the connection carries on.
    client.ws.send(JSON.stringify(executeRequest('main()', client.session)));
    const again = await run(client, 'main(n=1)');
    expect(again.reply.content.status).toBe('ok');
    expect(
      gw.log.some(
        l =>
          l.includes('refused a message') &&
          l.includes('v1 frames must be binary')
      )
    ).toBe(true);
    expect(client.frames.text).toBe(0);
  });

  it('should sanitise what the kernel says on shell as on iopub: a hostile exception in execute_reply', async () => {
    for (const protocol of ['legacy', 'v1'] as const) {
      const client = await open(protocol);
      const { id, reply } = await run(client, 'hostile()');
      expect(reply.content.status).toBe('error');
      expect(reply.content.ename).toBe('E\u241b]0;T\u2407');
      expect(reply.content.evalue).toBe(
        '\u241b]52;c;ZXZh\u2407\u2400\u241b31m<U+202E>'
      );
      const error = await client.waitFor(
        m => m.header.msg_type === 'error' && m.parent_header.msg_id === id
      );
      for (const msg of [reply, error]) {
        expect(JSON.stringify(msg.content)).not.toMatch(
          /\\u00(0[0-8]|1b)|[\x80-\x9f\u202e]/
        );
      }
    }
  });
});
