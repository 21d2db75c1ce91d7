import { promises as fs } from 'node:fs';
import net from 'node:net';

/** Hosts of the default package index (PyPI) that pip must reach. */
export const PYPI_HOSTS: readonly string[] = [
  'pypi.org',
  'files.pythonhosted.org'
];

/** Longest CONNECT request head accepted, in bytes. */
const MAX_HEAD_BYTES = 8192;

/**
 * An HTTP CONNECT proxy on a Unix socket that opens tunnels only to the
 * package index: the pip sandbox has no network of its own, and this socket
 * is its only way out. Anything else (another host or port, a plain HTTP
 * request, a malformed head) is answered 403 and remembered in `refused`.
 *
 * TLS runs end to end through the tunnel; the proxy sees only host names.
 *
 * @internal The package entry exports it for the gateway's tests only.
 */
export class IndexProxy {
  constructor(options: IndexProxy.IOptions = {}) {
    this._hosts = new Set(
      (options.hosts ?? PYPI_HOSTS).map(h => h.toLowerCase())
    );
    this._ports = new Set(options.ports ?? [443]);
  }

  /** `host:port` targets refused so far, in order, each once. */
  get refused(): readonly string[] {
    return [...this._refused];
  }

  /** Listens on `socketPath` (replacing a stale socket there). */
  async listen(socketPath: string): Promise<void> {
    await fs.rm(socketPath, { force: true });
    this._server = net.createServer(client => this._serve(client));
    await new Promise<void>((resolve, reject) => {
      this._server!.once('error', reject);
      this._server!.listen(socketPath, () => resolve());
    });
    // The sandboxed pip may run as another uid.
    await fs.chmod(socketPath, 0o666);
    this._socketPath = socketPath;
  }

  /** Stops listening, ends every tunnel and removes the socket. Idempotent. */
  async close(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    for (const socket of this._sockets) socket.destroy();
    this._sockets.clear();
    if (server)
      await new Promise<void>(resolve => server.close(() => resolve()));
    if (this._socketPath) await fs.rm(this._socketPath, { force: true });
  }

  private _serve(client: net.Socket): void {
    this._track(client);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES)
          this._refuse(client, 'oversized request');
        return;
      }
      client.off('data', onData);
      const rest = head.subarray(end + 4);
      const [method, target] = head
        .subarray(0, end)
        .toString('latin1')
        .split(' ');
      const match = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(target ?? '');
      const host = match?.[1]?.toLowerCase();
      const port = Number(match?.[2]);
      if (
        method !== 'CONNECT' ||
        !host ||
        !this._hosts.has(host) ||
        !this._ports.has(port)
      ) {
        this._refuse(client, `${method ?? ''} ${target ?? ''}`.trim());
        return;
      }
      this._tunnel(client, host, port, rest);
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  }

  private _tunnel(
    client: net.Socket,
    host: string,
    port: number,
    rest: Buffer
  ): void {
    const upstream = this._track(net.connect(port, host));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection established\r\n\r\n');
      if (rest.length > 0) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (!client.destroyed && upstream.bytesRead === 0) {
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      } else {
        client.destroy();
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private _refuse(client: net.Socket, what: string): void {
    this._refused.add(what);
    client.end(
      'HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n' +
        `jaxlab: the requirements build may reach only the package index (${[...this._hosts].join(', ')})\n`
    );
  }

  private _track(socket: net.Socket): net.Socket {
    this._sockets.add(socket);
    socket.on('close', () => this._sockets.delete(socket));
    return socket;
  }

  private readonly _hosts: Set<string>;
  private readonly _ports: Set<number>;
  private readonly _refused = new Set<string>();
  private readonly _sockets = new Set<net.Socket>();
  private _server: net.Server | undefined;
  private _socketPath: string | undefined;
}

/** Statics of {@link IndexProxy}. */
export namespace IndexProxy {
  export interface IOptions {
    /** Host names tunnels may go to (default {@link PYPI_HOSTS}). */
    hosts?: readonly string[];
    /** Ports tunnels may go to (default 443). */
    ports?: readonly number[];
  }
}
