import type { AddressInfo } from 'node:net';
import type { Express, Router } from 'express';
import type { IStore } from '@jaxlab/store';
import type { IAuth, IAuthOptions } from './auth/auth-options.js';
import type { IRunChatOptions } from './chat/index.js';
import type { IOpenApiPart } from './openapi/openapi-document.js';
import type { ICodeReviewerOptions } from './review/index.js';
import type { ITokenBucketOptions } from './security/index.js';

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
