import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import express from 'express';
import type { Express } from 'express';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import {
  HttpError,
  errorMiddleware,
  jsonBody,
  notFoundMiddleware,
  operationsRouter
} from '@jaxlab/http';
import type { IOperationsOptions } from '@jaxlab/http';
import { JaxLabError, KERNEL_SPEC_NAME } from '@jaxlab/schemas';

import type { KernelManager } from '../kernels/kernel-manager.js';
import { ChannelsConnection } from './channels-connection.js';
import type { Caller, ICredentialSource } from './credentials.js';
import { CREDENTIAL_CACHE_MS, CredentialResolver } from './credentials.js';
import { KernelOwners, kernelNotFound } from './kernel-owners.js';
import { kernelsRouter } from './kernels-router.js';
import type { IProjectSource } from './kernels-router.js';
import { authorizeRequest, requestGuard } from './request-guard.js';
import { sessionsRouter } from './sessions-router.js';
import { V1_PROTOCOL } from './ws-codec.js';
import type { LogSink } from '../log/gateway-log.js';

/** Version the gateway reports at GET /api. */
export const API_VERSION = '0.1.0';

const CHANNELS_PATH = /^\/api\/kernels\/([^/]+)\/channels\/?$/;

/** Collaborators and settings of {@link createGateway}. */
export interface IGatewayOptions {
  /** Owns the kernels; the gateway never disposes it. */
  kernels: KernelManager;
  /**
   * The operator token (`Authorization: token <t>`): every kernel and
   * session. '' disables auth (local tests only).
   */
  token: string;
  /**
   * Per-user credentials (the store's `accounts`): a personal API token the
   * server minted for a user reaches only that user's kernels and sessions.
   */
  accounts?: ICredentialSource;
  /** Origins allowed besides the gateway's own host (`*`: any). */
  allowOrigins?: string[];
  /** Largest accepted request body in bytes (default 8 MiB); larger answer 413. */
  bodyLimitBytes?: number;
  /** Sink of one-line log messages. */
  log?: LogSink;
  /** Projects a start request may name (`KERNEL_JAXLAB_PROJECT_ID`). */
  projects?: IProjectSource;
  /**
   * `/healthz`, `/readyz` (its checks) and `/metrics`, answered without
   * credentials (default: `/healthz` and a `/readyz` without checks).
   */
  operations?: IOperationsOptions;
}

/** A gateway: the express app, its HTTP server (with WebSockets) and lifecycle. */
export interface IGateway {
  readonly app: Express;
  readonly server: Server;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Closes every WebSocket and the server (kernels stay with their manager). */
  close(): Promise<void>;
}

/**
 * Creates the Jupyter kernel gateway: the kernel REST API and the
 * `/api/kernels/{id}/channels` WebSocket (legacy JSON and
 * v1.kernel.websocket.jupyter.org), credential and Origin checks, and
 * kernels and sessions scoped to the user a credential stands for.
 *
 * @example
 * ```ts
 * const gateway = createGateway({ kernels, token: 'secret' });
 * await gateway.listen(8701, '127.0.0.1');
 * ```
 */
export function createGateway(options: IGatewayOptions): IGateway {
  const { kernels, log } = options;
  const guard = {
    credentials: new CredentialResolver({
      operatorToken: options.token,
      accounts: options.accounts
    }),
    allowOrigins: options.allowOrigins ?? []
  };
  const owners = new KernelOwners();
  const bodyLimitBytes = options.bodyLimitBytes ?? 8 * 1024 * 1024;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(operationsRouter(options.operations ?? { checks: {} }));
  app.use(requestGuard(guard));
  app.use(jsonBody(bodyLimitBytes));

  app.get('/api', (_req, res) => {
    res.json({ version: API_VERSION, gateway: 'jaxlab' });
  });
  app.get('/api/kernelspecs', async (_req, res) => {
    const spec = await kernels.kernelSpec();
    res.json({ default: KERNEL_SPEC_NAME, kernelspecs: { [spec.name]: spec } });
  });
  app.get('/api/kernelspecs/:name', async (req, res) => {
    const spec = await kernels.kernelSpec();
    if (req.params.name !== spec.name) {
      throw new JaxLabError(
        'NOT_FOUND',
        `Kernel spec ${req.params.name} not found`,
        {
          hint: `This gateway has only '${spec.name}'.`
        }
      );
    }
    res.json(spec);
  });
  app.use(
    '/api/kernels',
    kernelsRouter(kernels, bodyLimitBytes, options.projects, owners)
  );
  app.use('/api/sessions', sessionsRouter(kernels, owners));
  app.use(
    notFoundMiddleware(
      'See the Jupyter kernel REST API: /api/kernels, /api/kernelspecs, /api/sessions.'
    )
  );
  app.use(
    errorMiddleware({
      log: (message, error) =>
        log?.(`${message} ${String((error as Error)?.stack ?? error)}`)
    })
  );

  const server = createServer(app);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: protocols =>
      protocols.has(V1_PROTOCOL) ? V1_PROTOCOL : false
  });
  const sockets = new Map<string, Set<WebSocket>>();
  /** Open channels of user callers, re-checked so a revoked credential ends them. */
  const userSockets = new Map<WebSocket, Caller>();

  const onKernelEvent = (event: { type: string; kernelId: string }): void => {
    if (event.type === 'kernel:shutdown' || event.type === 'kernel:culled') {
      for (const ws of sockets.get(event.kernelId) ?? [])
        ws.close(1000, 'Kernel shut down');
      sockets.delete(event.kernelId);
      owners.delete(event.kernelId);
    }
  };
  kernels.kernelChanged.connect(onKernelEvent);

  const closeRevoked = async (): Promise<void> => {
    for (const [ws, caller] of userSockets) {
      const isLive = await guard.credentials.isLive(caller).catch(() => true);
      if (!isLive) {
        userSockets.delete(ws);
        ws.close(1008, 'Credential revoked');
      }
    }
  };
  let isSweeping = false;
  const revocationTimer = setInterval(() => {
    if (isSweeping || userSockets.size === 0) return;
    isSweeping = true;
    void closeRevoked().finally(() => (isSweeping = false));
  }, CREDENTIAL_CACHE_MS);
  revocationTimer.unref();

  const upgrade = async (
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const match = CHANNELS_PATH.exec(url.pathname);
    try {
      if (!match) {
        throw new JaxLabError(
          'NOT_FOUND',
          `No WebSocket endpoint at ${url.pathname}`
        );
      }
      const caller = await authorizeRequest(req, guard, true);
      const kernelId = decodeURIComponent(match[1]);
      const kernel = kernels.get(kernelId);
      if (
        !kernel ||
        kernels.isJobKernel(kernelId) ||
        !owners.isVisibleTo(kernelId, caller)
      )
        throw kernelNotFound(kernelId);
      wss.handleUpgrade(req, socket, head, ws => {
        const set = sockets.get(kernelId) ?? new Set();
        set.add(ws);
        sockets.set(kernelId, set);
        if (caller.kind === 'user') userSockets.set(ws, caller);
        ws.on('close', () => {
          set.delete(ws);
          userSockets.delete(ws);
        });
        new ChannelsConnection({
          ws,
          kernel,
          protocol: ws.protocol === V1_PROTOCOL ? 'v1' : 'legacy',
          clientId: url.searchParams.get('session_id') || randomUUID(),
          log
        });
      });
    } catch (error) {
      rejectUpgrade(socket, error);
    }
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(req, socket, head);
  });

  return {
    app,
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () =>
          resolve(server.address() as AddressInfo)
        );
      }),
    close: async () => {
      kernels.kernelChanged.disconnect(onKernelEvent);
      clearInterval(revocationTimer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    }
  };
}

function rejectUpgrade(socket: Duplex, error: unknown): void {
  const refusal = HttpError.from(error);
  const text = JSON.stringify(refusal.toApiError());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.reason ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  );
}
