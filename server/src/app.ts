import express from 'express';
import type { Express, RequestHandler, Router } from 'express';
import type { IStore } from '@jaxlab/store';
import { createHostsRouter, hostsOpenApi } from './hosts/index.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  errorMiddleware,
  jsonBody,
  notFoundMiddleware
} from '@jaxlab/http';
import { methodNotAllowedMiddleware } from './http/method-not-allowed.js';
import { localUserAuth } from './http/request-user.js';
import { createJobsRouter, jobsOpenApi } from './jobs/index.js';
import { coreOpenApi } from './openapi/core-openapi.js';
import type { IOpenApiPart } from './openapi/openapi-document.js';
import { createOpenApiDocument } from './openapi/openapi-document.js';
import { SERVER_VERSION } from './version.js';

/** What {@link createApp} is built from. */
export interface IAppDeps {
  /**
   * The parts of the store the built-in routes use: jobs, their events and
   * the projects they come from (`/api/jobs`), hosts (`/api/hosts`), and
   * which backend it is (`/api/health`). Routers in `routers` get theirs
   * from the caller.
   */
  store: Pick<IStore, 'kind' | 'jobs' | 'events' | 'projects' | 'hosts'>;
  /**
   * Authentication: `middleware` sets `req.user` or answers 401 (it must
   * let public paths through: health, the OpenAPI document, sign-in);
   * `router` holds the sign-in routes and is mounted before it. The real one
   * is `createAuth()` from `./auth/`. When omitted every request is the
   * local user's ({@link localUserAuth}): only for tests and unsafe mode.
   */
  auth?: { middleware: RequestHandler; router?: Router };
  /** Middleware run before everything else (security headers, CORS, Origin checks). */
  security?: RequestHandler[];
  /**
   * More routers, mounted after authentication in order (projects, review,
   * tokens, samples, rate limits). `openapi` documents the router's paths.
   */
  routers?: IAppDeps.IMountedRouter[];
  /**
   * Middleware run right after authentication, before every router (e.g.
   * the per-user job rate limit, which needs `req.user`).
   */
  afterAuth?: RequestHandler[];
  /** OpenAPI descriptions of routes mounted elsewhere (e.g. `auth.router`'s). */
  openapi?: IOpenApiPart[];
  /** Settings; every field has a default. */
  config?: IAppDeps.IConfig;
  /** The clock (tests inject one). */
  clock?: () => Date;
  /** Where server errors are logged (default console.error). */
  log?: (message: string, error: unknown) => void;
}

/** Statics of {@link IAppDeps}. */
export namespace IAppDeps {
  /** A router and where it goes. */
  export interface IMountedRouter {
    /** Mount path, e.g. `/api/projects` (use `/` for routers with full paths). */
    path: string;
    router: Router;
    /** Its OpenAPI description. */
    openapi?: IOpenApiPart;
  }

  /** Settings of the app. */
  export interface IConfig {
    /** Largest JSON body accepted, in bytes (default 2 MiB); larger answer 413. */
    bodyLimitBytes?: number;
    /** Interval of SSE heartbeat comments in ms (default 15 s). */
    sseHeartbeatMs?: number;
    /** A gateway host counts as connected this long after its last heartbeat (default 30 s). */
    hostStaleAfterMs?: number;
    /** Trust X-Forwarded-* from a reverse proxy (express `trust proxy`). */
    trustProxy?: boolean;
  }
}

/**
 * The control plane as an express app, with nothing listening yet:
 *
 * 1. `deps.security` middleware, then JSON bodies (size-limited);
 * 2. public: `GET /api/health`, `GET /api/openapi.json`;
 * 3. `deps.auth.router` (sign-in), then `deps.auth.middleware`: from here
 *    on every request has `req.user`, and every store call is scoped to
 *    `req.user.id` (another user's document answers 404);
 * 4. `/api/jobs`, `/api/hosts`, then `deps.routers` in order;
 * 5. 405 for a documented path with an undocumented method, 404
 *    `NOT_FOUND` for anything else, and the one error middleware that
 *    renders `{reason, message, code, hint}`.
 *
 * The caller owns the store (opens it before, disposes it after).
 *
 * @example
 * ```ts
 * const store = await openStore({ dataDir });
 * const auth = createAuth({ accounts: store.accounts, projects: store.projects, mode: 'local' });
 * createApp({ store, auth, routers: [{ path: '/api/projects', router: createProjectsRouter({ projects: store.projects }) }] })
 *   .listen(8700, '127.0.0.1');
 * ```
 */
export function createApp(deps: IAppDeps): Express {
  const { store } = deps;
  const config = deps.config ?? {};
  const auth: { middleware: RequestHandler; router?: Router } =
    deps.auth ?? localUserAuth();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ?? false);
  app.set('json spaces', 0);

  for (const handler of deps.security ?? []) app.use(handler);
  app.use(jsonBody(config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));

  let openapi: Record<string, unknown> | undefined;
  const openapiDocument = (): Record<string, unknown> =>
    (openapi ??= createOpenApiDocument({
      version: SERVER_VERSION,
      parts: [
        coreOpenApi,
        jobsOpenApi,
        hostsOpenApi,
        ...(deps.openapi ?? []),
        ...(deps.routers ?? []).flatMap(r => (r.openapi ? [r.openapi] : []))
      ]
    }));
  app.get('/api/health', (_req, res) => {
    res.json({ ok: true, store: store.kind, version: SERVER_VERSION });
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });

  if (auth.router) app.use(auth.router);
  app.use(auth.middleware);
  for (const handler of deps.afterAuth ?? []) app.use(handler);
  app.use(
    '/api/jobs',
    createJobsRouter({
      jobs: store.jobs,
      events: store.events,
      projects: store.projects,
      sseHeartbeatMs: config.sseHeartbeatMs
    })
  );
  app.use(
    '/api/hosts',
    createHostsRouter({
      hosts: store.hosts,
      staleAfterMs: config.hostStaleAfterMs,
      now: deps.clock
    })
  );
  for (const mounted of deps.routers ?? [])
    app.use(mounted.path, mounted.router);

  app.use(
    methodNotAllowedMiddleware(
      () => openapiDocument().paths as Record<string, Record<string, unknown>>
    )
  );
  app.use(
    notFoundMiddleware(
      'See GET /api/openapi.json for the endpoints of this server.'
    )
  );
  app.use(errorMiddleware({ log: deps.log }));
  return app;
}
