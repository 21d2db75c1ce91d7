import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { IndexProxy } from './index-proxy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A TCP echo server standing in for the package index. */
async function echoServer(): Promise<number> {
  const server = net.createServer(socket => socket.pipe(socket));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () => new Promise<void>(resolve => server.close(() => resolve()))
  );
  return (server.address() as net.AddressInfo).port;
}

async function startProxy(
  options: IndexProxy.IOptions
): Promise<{ proxy: IndexProxy; socketPath: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'jaxlab-proxy-'));
  const socketPath = path.join(dir, 'index.sock');
  const proxy = new IndexProxy(options);
  await proxy.listen(socketPath);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => proxy.close());
  return { proxy, socketPath };
}

/** Sends `request` through the proxy socket; resolves with all it answered. */
function exchange(socketPath: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = '';
    socket.on('data', chunk => {
      answer += chunk.toString('latin1');
      // A tunnel stays open: end it once the echo came back.
      if (answer.includes('ping-through-tunnel')) socket.end();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('IndexProxy', () => {
  it('should tunnel to an allowed host and port, bytes both ways', async () => {
    const port = await echoServer();
    const { socketPath } = await startProxy({
      hosts: ['127.0.0.1'],
      ports: [port]
    });
    const answer = await exchange(
      socketPath,
      `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\nping-through-tunnel`
    );
    expect(answer).toBe(
      'HTTP/1.1 200 Connection established\r\n\r\nping-through-tunnel'
    );
  });

  it('should refuse other hosts, other ports, plain HTTP and garbage with 403, and list them', async () => {
    const port = await echoServer();
    const { proxy, socketPath } = await startProxy({
      hosts: ['127.0.0.1'],
      ports: [port]
    });

    for (const request of [
      `CONNECT evil.example:443 HTTP/1.1\r\n\r\n`,
      `CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n`,
      `GET http://127.0.0.1:${port}/simple/six/ HTTP/1.1\r\n\r\n`,
      `CONNECT 127.0.0.1@evil.example:${port} HTTP/1.1\r\n\r\n`
    ]) {
      const answer = await exchange(socketPath, request);
      expect(answer, request).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(answer).toContain('may reach only the package index (127.0.0.1)');
    }
    expect(proxy.refused).toEqual([
      'CONNECT evil.example:443',
      'CONNECT 127.0.0.1:22',
      `GET http://127.0.0.1:${port}/simple/six/`,
      `CONNECT 127.0.0.1@evil.example:${port}`
    ]);
  });

  it('should answer 502 when the index cannot be reached', async () => {
    const port = await echoServer();
    const { socketPath } = await startProxy({
      hosts: ['localhost.invalid'],
      ports: [port]
    });
    const answer = await exchange(
      socketPath,
      `CONNECT localhost.invalid:${port} HTTP/1.1\r\n\r\n`
    );
    expect(answer).toBe('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  });
});
