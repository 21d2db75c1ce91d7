import express from 'express';
import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJaxLabError } from '@jaxlab/schemas';

/** What {@link miniApp} mounts; mirrors createApp's seam. */
export interface IMiniAppDeps {
  auth?: { middleware: RequestHandler; router?: Router };
  routers?: Array<{ path: string; router: Router }>;
  security?: RequestHandler[];
}

/**
 * A stand-in for createApp used until the real one exists: security, JSON
 * bodies, auth, routers and the error envelope.
 */
export function miniApp(deps: IMiniAppDeps): express.Express {
  const app = express();
  for (const h of deps.security ?? []) app.use(h);
  app.use(express.json({ limit: '2mb' }));
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true });
  });
  if (deps.auth?.router) app.use(deps.auth.router);
  if (deps.auth) app.use(deps.auth.middleware);
  for (const r of deps.routers ?? []) app.use(r.path, r.router);
  app.use((_req, _res, next) => next(Object.assign(new Error('nf'), { code: 'NOT_FOUND' })));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const e = err as { code?: string; message?: string; hint?: string; httpStatus?: number; status?: number };
    const status = isJaxLabError(err) ? (e.httpStatus ?? 404) : (e.status ?? 500);
    const code = isJaxLabError(err) ? e.code : status === 413 ? 'PAYLOAD_TOO_LARGE' : 'INTERNAL';
    res.status(status).json({ reason: null, message: e.message ?? '', code, hint: e.hint });
  };
  app.use(onError);
  return app;
}

/** Listens on a free port; returns the base URL and a closer. */
export async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}
