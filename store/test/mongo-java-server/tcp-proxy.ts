import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A TCP proxy to a local port whose connections a test can cut. */
export interface ITcpProxy {
  port: number;
  /**
   * A network outage: destroys every open connection and refuses new ones
   * for `ms` milliseconds; resolves when connections are accepted again.
   */
  cut(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free port of 127.0.0.1 that forwards each connection
 * to `targetPort`, so that a test can play a network outage between a
 * client (the store) and mongo-java-server while other clients keep
 * talking to the server directly.
 */
export async function startTcpProxy(targetPort: number): Promise<ITcpProxy> {
  const sockets = new Set<Socket>();
  let isRefusing = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer(client => {
    track(client);
    if (isRefusing) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    cut: async ms => {
      isRefusing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise(resolve => setTimeout(resolve, ms));
      isRefusing = false;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>(resolve => server.close(() => resolve()));
    }
  };
}
