import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express, Router } from 'express';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  errorMiddleware,
  jsonBody,
  notFoundMiddleware,
  operationsRouter
} from '@jaxlab/http';
import type { Health } from '@jaxlab/schemas';
import type { IStore } from '@jaxlab/store';
import {
  authOpenApi,
  hubCredentialsOpenApi,
  tokensOpenApi
} from './auth/auth-openapi.js';
import { createAuth } from './auth/create-auth.js';
import type { IAuth, IAuthOptions } from './auth/create-auth.js';
import { createHubCredentialsRouter } from './auth/hub-credentials-router.js';
import { createTokensRouter } from './auth/tokens-router.js';
import type { IOidc } from './oidc/create-oidc.js';
import {
  HOST_STALE_AFTER_MS,
  createHostsRouter,
  hostsOpenApi
} from './hosts/index.js';
import { countStoreErrors } from './operations/count-store-errors.js';
import { createLabMetrics } from './operations/lab-metrics.js';
import { methodNotAllowedMiddleware } from './http/method-not-allowed.js';
import {
  RegressionChecker,
  baselinesOpenApi,
  createBaselinesRouter,
  createExperimentsRouter,
  experimentsOpenApi
} from './experiments/index.js';
import { createJobsRouter, jobsOpenApi } from './jobs/index.js';
import { artifactsOpenApi, createArtifactsRouter } from './artifacts/index.js';
import { RunChat, chatOpenApi, createChatRouter } from './chat/index.js';
import type { IRunChatOptions } from './chat/index.js';
import { TableViewer } from './viewer/index.js';
import { coreOpenApi } from './openapi/core-openapi.js';
import type { IOpenApiPart } from './openapi/openapi-document.js';
import { createOpenApiDocument } from './openapi/openapi-document.js';
import { createProjectsRouter, projectsOpenApi } from './projects/index.js';
import { startRetentionSweeper } from './retention/index.js';
import {
  createMakeRunnableRouter,
  makeRunnableOpenApi
} from './loader/index.js';
import {
  CodeReviewer,
  createReviewRouter,
  reviewOpenApi
} from './review/index.js';
import type { ICodeReviewerOptions } from './review/index.js';
import { createSamplesRouter, samplesOpenApi } from './samples/index.js';
import {
  createSignaturesRouter,
  signaturesOpenApi
} from './signatures/index.js';
import { createJobRateLimit, securityMiddleware } from './security/index.js';
import type { ITokenBucketOptions } from './security/index.js';
import {
  SweepScheduler,
  createSweepsRouter,
  sweepsOpenApi
} from './sweeps/index.js';
import { SERVER_VERSION } from './version.js';

/** What {@link createLabServer} is built from; only `store` is required. */
export interface ILabServerDeps {
  /**
   * The parts of the store the server uses: jobs, events, series,
   * projects, accounts, hosts, baselines, sweeps, the OpenID provider's
   * records (not the queue: gateways claim jobs) and which backend it is.
   * The caller owns it (`openStore()` before, `dispose()` after).
   */
  store: Pick<
    IStore,
    | 'kind'
    | 'jobs'
    | 'events'
    | 'series'
    | 'projects'
    | 'accounts'
    | 'hosts'
    | 'artifacts'
    | 'chats'
    | 'ping'
    | 'baselines'
    | 'sweeps'
    | 'oidc'
  >;
  /**
   * Sign-in (default: local mode with a random login token per start;
   * `?next=` may return to `allowedOrigins`).
   */
  auth?: Partial<Omit<IAuthOptions, 'accounts' | 'projects' | 'trustProxy'>>;
  /** The review's model (without `apiKey` the review is lint-only). */
  review?: ICodeReviewerOptions;
  /** The chat's model (default: the review's key, base URL and model). */
  chat?: IRunChatOptions;
  /**
   * Where the data viewer keeps its table indexes (default: a folder under
   * the system's temporary folder; `jaxlab-server` uses
   * `<data>/artifacts/indexes`, beside the artifacts).
   */
  viewerCacheDir?: string;
  /**
   * Browser origins (the JupyterLab's, `scheme://host:port`) that may call
   * the API with cookies; CORS and the Origin check use them.
   */
  allowedOrigins?: readonly string[];
  /** Per-user token buckets (defaults: jobs 30/min, review 20/min). */
  rateLimits?: ILabServerDeps.IRateLimits;
  /** How often log retention sweeps (default: hourly). */
  retentionIntervalMs?: number;
  /** Settings; every field has a default. */
  config?: ILabServerDeps.IConfig;
  /** The clock of the hosts list and log retention (tests inject one). */
  clock?: () => Date;
  /** Where server errors are logged (default console.error). */
  log?: (message: string, error: unknown) => void;
  /**
   * More routers, mounted after the built-in ones and before the 404
   * (an extension's, or a test's).
   */
  routers?: ILabServerDeps.IMountedRouter[];
  /**
   * Team mode: JupyterHub signs users in through this server's OpenID
   * provider (`/oidc`) and mints each user's server its gateway credential
   * (`/api/hub/credentials`); signing out here goes on to the hub's
   * sign-out.
   */
  hub?: ILabServerDeps.IHub;
}

/** Statics of {@link ILabServerDeps}. */
export namespace ILabServerDeps {
  /** The JupyterHub of team mode, as this server knows it. */
  export interface IHub {
    /** The hub's public URL, e.g. `http://127.0.0.1:8000`. */
    url: string;
    /** The hub's OAuth client secret (client id `jupyterhub`). */
    clientSecret: string;
    /** The token the hub mints server credentials with. */
    token: string;
    /**
     * This server as browsers reach it; the OpenID issuer is
     * `<publicUrl>/oidc`. Default: the address `listen()` binds.
     */
    publicUrl?: string;
  }

  /** Token buckets per signed-in user, each `{capacity, refillPerMinute, now}`. */
  export interface IRateLimits {
    /** `POST /api/jobs` (default 30 burst, 30 per minute). */
    jobs?: Partial<ITokenBucketOptions>;
    /** `POST /api/review` (default 20 burst, 20 per minute). */
    review?: Partial<ITokenBucketOptions>;
    /** `POST /api/signatures` (default 60 burst, 60 per minute). */
    signatures?: Partial<ITokenBucketOptions>;
  }

  /** Settings of the server. */
  export interface IConfig {
    /** Largest JSON body accepted, in bytes (default 2 MiB); larger answer 413. */
    bodyLimitBytes?: number;
    /** Interval of SSE heartbeat comments in ms (default 15 s). */
    sseHeartbeatMs?: number;
    /** A gateway host counts as connected this long after its last heartbeat (default 30 s). */
    hostStaleAfterMs?: number;
    /** How often sweeps are looked at besides their trials' events (default 1000 ms). */
    sweepIntervalMs?: number;
    /** How often finished runs are checked against baselines (default 2000 ms). */
    regressionIntervalMs?: number;
    /** Behind a TLS reverse proxy: trust X-Forwarded-* (express `trust proxy`, Secure cookies). */
    trustProxy?: boolean;
    /**
     * The per-user cap of concurrent jobs the gateways apply (their
     * `--max-jobs-per-user`), so a queued job can say it waits for it.
     */
    maxJobsPerOwner?: number;
  }

  /** A router and where it goes. */
  export interface IMountedRouter {
    /** Mount path, e.g. `/api/extra` (use `/` for routers with full paths). */
    path: string;
    router: Router;
    /** Its OpenAPI description. */
    openapi?: IOpenApiPart;
  }
}

/** A lab server: the express app, its sign-in and lifecycle. */
export interface ILabServer {
  readonly app: Express;
  /** Local mode's login token and the URL to print at start. */
  readonly auth: Pick<IAuth, 'localToken' | 'loginUrl'>;
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops log retention and closes the HTTP server and its connections.
   * The store stays open (its owner disposes it). Idempotent.
   */
  close(): Promise<void>;
}

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
  const routers: ILabServerDeps.IMountedRouter[] = [
    {
      path: '/api/jobs',
      router: createJobsRouter({
        jobs: store.jobs,
        events: store.events,
        projects: store.projects,
        artifacts: store.artifacts,
        hosts: store.hosts,
        hostStaleAfterMs,
        maxJobsPerOwner: config.maxJobsPerOwner,
        onEventSent: event => metrics.eventSent(event),
        sseHeartbeatMs: config.sseHeartbeatMs
      }),
      openapi: jobsOpenApi
    },
    {
      path: '/api/jobs',
      router: createArtifactsRouter({
        jobs: store.jobs,
        artifacts: store.artifacts,
        series: store.series,
        viewer
      }),
      openapi: artifactsOpenApi
    },
    {
      path: '/api/jobs',
      router: createChatRouter({ jobs: store.jobs, chat }),
      openapi: chatOpenApi
    },
    {
      path: '/api',
      router: createExperimentsRouter({
        jobs: store.jobs,
        series: store.series,
        projects: store.projects
      }),
      openapi: experimentsOpenApi
    },
    {
      path: '/api',
      router: createBaselinesRouter({
        jobs: store.jobs,
        projects: store.projects,
        baselines: store.baselines,
        checker: regressions,
        now: deps.clock
      }),
      openapi: baselinesOpenApi
    },
    {
      path: '/api/sweeps',
      router: createSweepsRouter({
        sweeps: store.sweeps,
        projects: store.projects,
        scheduler,
        now: deps.clock
      }),
      openapi: sweepsOpenApi
    },
    {
      path: '/api/signatures',
      router: createSignaturesRouter(),
      openapi: signaturesOpenApi
    },
    {
      path: '/api/hosts',
      router: createHostsRouter({
        hosts: store.hosts,
        jobs: store.jobs,
        staleAfterMs: config.hostStaleAfterMs,
        now: deps.clock
      }),
      openapi: hostsOpenApi
    },
    {
      path: '/api/projects',
      router: createProjectsRouter({ projects: store.projects }),
      openapi: projectsOpenApi
    },
    {
      path: '/api/samples',
      router: createSamplesRouter(),
      openapi: samplesOpenApi
    },
    {
      path: '/api/tokens',
      router: createTokensRouter({ tokens: store.accounts }),
      openapi: tokensOpenApi
    },
    {
      path: '/api/review',
      router: createReviewRouter({ projects: store.projects, reviewer }),
      openapi: reviewOpenApi
    },
    {
      path: '/api/make-runnable',
      router: createMakeRunnableRouter(),
      openapi: makeRunnableOpenApi
    },
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
