import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  errorMiddleware,
  jsonBody,
  notFoundMiddleware,
  operationsRouter
} from '@jaxlab/http';
import type { Health } from '@jaxlab/schemas';
import { authOpenApi, hubCredentialsOpenApi } from './auth/auth-openapi.js';
import { createAuth } from './auth/create-auth.js';
import { createHubCredentialsRouter } from './auth/hub-credentials-router.js';
import type { IOidc } from './oidc/create-oidc.js';
import { HOST_STALE_AFTER_MS } from './hosts/index.js';
import { countStoreErrors } from './operations/count-store-errors.js';
import { createLabMetrics } from './operations/lab-metrics.js';
import { methodNotAllowedMiddleware } from './http/method-not-allowed.js';
import { RegressionChecker } from './experiments/index.js';
import { RunChat } from './chat/index.js';
import { TableViewer } from './viewer/index.js';
import { coreOpenApi } from './openapi/core-openapi.js';
import { createOpenApiDocument } from './openapi/openapi-document.js';
import { startRetentionSweeper } from './retention/index.js';
import { CodeReviewer } from './review/index.js';
import { createJobRateLimit, securityMiddleware } from './security/index.js';
import { SweepScheduler } from './sweeps/index.js';
import { createLabRouters } from './lab-routers.js';
import type { ILabServer, ILabServerDeps } from './lab-server-deps.js';
import { SERVER_VERSION } from './version.js';

/**
 * The control plane, assembled in one place for production (`jaxlab-server`)
 * and tests alike:
 *
 * 1. security headers, CORS and the Origin check, then JSON bodies
 *    (size-limited, parsed once);
 * 2. public: `GET /healthz`, `/readyz`, `/metrics`, `GET /api/health`,
 *    `GET /api/openapi.json`;
 * 3. sign-in routes, then authentication: from here on every request has
 *    `req.user`, and every store call is scoped to `req.user.id` (another
 *    user's document answers 404);
 * 4. the rate limits of job creation and review;
 * 5. `/api/jobs`, experiments (`/api/jobs/{id}/series`,
 *    `/api/experiments/compare`, leaderboards, baselines,
 *    `/api/runs/{id}/regression`), `/api/sweeps`, `/api/signatures`, `/api/hosts`,
 *    `/api/projects`, `/api/samples`, `/api/tokens`, `/api/review`, then
 *    `deps.routers`;
 * 6. 405 for a documented path with an undocumented method, 404
 *    `NOT_FOUND` for anything else, and the one error middleware of
 *    `@jaxlab/http` that renders `{reason, message, code, hint}`;
 *
 * and in the background until {@link ILabServer.close}: log retention, the
 * regression check of finished runs and the sweep scheduler.
 *
 * @throws {@link JaxLabError} `INVALID_REQUEST` for Google sign-in without
 *   its client settings.
 * @example
 * ```ts
 * const store = await openStore({ dataDir });
 * const lab = createLabServer({ store, allowedOrigins: ['http://127.0.0.1:8888'] });
 * const { port } = await lab.listen(8700, '127.0.0.1');
 * console.log(lab.auth.loginUrl(`http://127.0.0.1:${port}`));
 * ```
 */
export function createLabServer(deps: ILabServerDeps): ILabServer {
  const { store } = deps;
  const config = deps.config ?? {};
  const { hub } = deps;
  const allowedOrigins = [
    ...(deps.allowedOrigins ?? []),
    ...(hub ? [hub.url] : [])
  ];
  let oidc: IOidc | undefined;
  const auth = createAuth({
    mode: 'local',
    allowedRedirectOrigins: allowedOrigins,
    ...(hub
      ? {
          afterLogoutUrl: `${hub.url.replace(/\/$/, '')}/hub/logout`,
          onSignOut: async user => oidc?.endSessionsOf(user.id)
        }
      : {}),
    ...deps.auth,
    accounts: store.accounts,
    projects: store.projects,
    trustProxy: config.trustProxy
  });
  const reviewer = new CodeReviewer(deps.review ?? {});
  const viewer = new TableViewer({
    cacheDir:
      deps.viewerCacheDir ?? join(tmpdir(), `jaxlab-viewer-${process.pid}`)
  });
  const chat = new RunChat({
    ...(deps.review ?? {}),
    ...deps.chat,
    events: store.events,
    artifacts: store.artifacts,
    chats: store.chats,
    viewer
  });
  const hostStaleAfterMs = config.hostStaleAfterMs ?? HOST_STALE_AFTER_MS;
  const metrics = createLabMetrics({
    jobs: store.jobs,
    hosts: store.hosts,
    hostStaleAfterMs
  });
  const regressions = new RegressionChecker({
    jobs: store.jobs,
    baselines: store.baselines,
    intervalMs: config.regressionIntervalMs,
    now: deps.clock,
    log: deps.log
  });
  const scheduler = new SweepScheduler({
    jobs: store.jobs,
    events: store.events,
    series: store.series,
    sweeps: store.sweeps,
    hosts: store.hosts,
    intervalMs: config.sweepIntervalMs,
    hostStaleAfterMs,
    now: deps.clock,
    log: deps.log
  });
  const routers = [
    ...createLabRouters(
      store,
      {
        hostStaleAfterMs,
        metrics,
        viewer,
        chat,
        regressions,
        scheduler,
        reviewer
      },
      deps
    ),
    ...(deps.routers ?? [])
  ];
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy ?? false);
  app.set('json spaces', 0);

  for (const handler of securityMiddleware({ allowedOrigins }))
    app.use(handler);
  app.use(jsonBody(config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));

  let openapi: Record<string, unknown> | undefined;
  const openapiDocument = (): Record<string, unknown> =>
    (openapi ??= createOpenApiDocument({
      version: SERVER_VERSION,
      parts: [
        coreOpenApi,
        authOpenApi,
        ...(hub ? [hubCredentialsOpenApi] : []),
        ...routers.flatMap(r => (r.openapi ? [r.openapi] : []))
      ]
    }));
  app.use(
    operationsRouter({
      checks: { store: () => store.ping() },
      metrics: metrics.registry
    })
  );
  app.get('/api/health', (_req, res) => {
    const health: Health = {
      ok: true,
      store: store.kind,
      version: SERVER_VERSION
    };
    res.json(health);
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapiDocument());
  });

  app.use(auth.router);
  if (hub) {
    // The provider's issuer is this server's URL, known for sure only once
    // it listens (port 0 in tests): made by listen().
    app.use((req, res, next) => {
      if (oidc) oidc.router(req, res, next);
      else next();
    });
    app.use(
      '/api/hub/credentials',
      createHubCredentialsRouter({
        accounts: store.accounts,
        hubToken: hub.token
      })
    );
  }
  app.use(auth.middleware);
  app.use(createJobRateLimit({ ...deps.rateLimits?.jobs }));
  app.use(
    createJobRateLimit({
      path: '/api/make-runnable',
      capacity: 20,
      refillPerMinute: 20,
      ...deps.rateLimits?.review
    })
  );
  app.use(
    createJobRateLimit({
      path: '/api/review',
      capacity: 20,
      refillPerMinute: 20,
      ...deps.rateLimits?.review
    })
  );
  app.use(
    createJobRateLimit({
      path: '/api/signatures',
      capacity: 60,
      refillPerMinute: 60,
      ...deps.rateLimits?.signatures
    })
  );
  for (const mounted of routers) app.use(mounted.path, mounted.router);

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
  app.use(countStoreErrors(() => metrics.storeError()));
  app.use(errorMiddleware({ log: deps.log }));

  const sweeper = startRetentionSweeper({
    projects: store.projects,
    events: store.events,
    artifacts: store.artifacts,
    intervalMs: deps.retentionIntervalMs,
    now: deps.clock,
    log: deps.log
  });
  regressions.start();
  scheduler.start();
  let server: Server | undefined;
  let closed: Promise<void> | undefined;
  return {
    app,
    auth,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        const listening = app.listen(port, host, error => {
          if (error) return reject(error);
          const address = listening.address() as AddressInfo;
          if (!hub) return resolve(address);
          // Loaded only in team mode: local mode never needs the provider.
          import('./oidc/create-oidc.js')
            .then(async ({ OIDC_PATH, createOidc }) => {
              const bound = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
              oidc = await createOidc({
                issuer: `${(hub.publicUrl ?? bound).replace(/\/$/, '')}${OIDC_PATH}`,
                clients: [
                  {
                    clientId: 'jupyterhub',
                    clientSecret: hub.clientSecret,
                    redirectUris: [
                      `${hub.url.replace(/\/$/, '')}/hub/oauth_callback`
                    ]
                  }
                ],
                users: store.accounts,
                records: store.oidc,
                secret: deps.auth?.sessionSecret,
                identify: auth.identify,
                isAdmin: auth.isAdmin,
                trustProxy: config.trustProxy
              });
            })
            .then(() => resolve(address), reject);
        });
        server = listening;
      }),
    close: () =>
      (closed ??= (async () => {
        await sweeper.dispose();
        await scheduler.dispose();
        await regressions.dispose();
        if (!server?.listening) return;
        server.closeAllConnections();
        await new Promise<void>(resolve => server!.close(() => resolve()));
      })())
  };
}
