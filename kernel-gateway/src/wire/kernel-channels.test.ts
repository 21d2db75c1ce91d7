import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { KernelMessage } from '@jupyterlab/services';
import { afterEach, describe, expect, it } from 'vitest';
import { Publisher } from 'zeromq';

import { channelAddress, createConnectionInfo } from './connection-info.js';
import { KernelChannels } from './kernel-channels.js';
import { createMessage } from './message-factory.js';
import { serializeMessage } from './wire-codec.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function stream(text: string): KernelMessage.IMessage {
  return createMessage({
    channel: 'iopub',
    msgType: 'stream',
    content: { name: 'stdout', text },
    session: 'kernel'
  });
}

describe('KernelChannels', () => {
  it('should disconnect a kernel that sends an oversized frame, drop the frame and say so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'jaxlab-channels-'));
    const info = createConnectionInfo(dir);
    const kernelIOPub = new Publisher({ linger: 0 });
    await kernelIOPub.bind(channelAddress(info, 'iopub'));
    const received: string[] = [];
    const disconnected: string[] = [];
    const channels = new KernelChannels({
      info,
      maxFrameBytes: 64 * 1024,
      onMessage: msg => {
        received.push((msg.content as { text: string }).text);
      },
      onDisconnected: channel => disconnected.push(channel)
    });
    channels.connect();
    cleanups.push(() => {
      channels.dispose();
      kernelIOPub.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const deadline = Date.now() + 5000;
    const sendUntil = async (text: string): Promise<void> => {
      while (!received.includes(text) && Date.now() < deadline) {
        await kernelIOPub.send(serializeMessage(stream(text), info.key));
        await new Promise(resolve => setTimeout(resolve, 20));
      }
    };
    await sendUntil('before');
    expect(received).toContain('before');
    expect(disconnected).toEqual([]);

    await kernelIOPub.send(
      serializeMessage(stream('X'.repeat(256 * 1024)), info.key)
    );
    while (disconnected.length === 0 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    expect(disconnected).toEqual(['iopub']);
    expect(received.some(text => text.startsWith('XXXX'))).toBe(false);
  });
});
