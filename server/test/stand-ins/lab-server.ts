import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import { createApp } from '../../src/app.js';
import {
  authOpenApi,
  createAuth,
  createTokensRouter,
  tokensOpenApi
} from '../../src/auth/index.js';
import type { IAuthOptions } from '../../src/auth/index.js';
import {
  createProjectsRouter,
  projectsOpenApi
} from '../../src/projects/index.js';
import {
  CodeReviewer,
  createReviewRouter,
  reviewOpenApi
} from '../../src/review/index.js';
import type { ICodeReviewerOptions } from '../../src/review/index.js';
import {
  createSamplesRouter,
  samplesOpenApi
} from '../../src/samples/index.js';
import {
  createJobRateLimit,
  securityMiddleware
} from '../../src/security/index.js';
import type {
  IJobRateLimitOptions,
  ISecurityOptions
} from '../../src/security/index.js';

/** Options of {@link startLabServer}. */
export interface ILabServerOptions {
  auth?: Partial<IAuthOptions>;
  security?: ISecurityOptions;
  rateLimit?: IJobRateLimitOptions;
  bodyLimitBytes?: number;
  reviewer?: ICodeReviewerOptions;
}

/** A running control plane for tests, wired exactly as the server's bin wires it. */
export interface ILabServer {
  url: string;
  store: IStore;
  localToken: string;
  close(): Promise<void>;
}

/**
 * Starts the real control plane (createApp, the real SQLite store in a
 * temp dir, the real auth in local mode, every router of this helper) on a
 * free port.
 */
export async function startLabServer(
  options: ILabServerOptions = {}
): Promise<ILabServer> {
  const dir = await mkdtemp(join(tmpdir(), 'jxl-srv-'));
  const store = await openStore({ sqlite: { path: join(dir, 'jaxlab.db') } });
  const auth = createAuth({
    accounts: store.accounts,
    projects: store.projects,
    mode: 'local',
    ...options.auth
  });
  const reviewer = new CodeReviewer(options.reviewer ?? {});
  const app = createApp({
    store,
    auth,
    security: securityMiddleware(options.security ?? {}),
    afterAuth: [createJobRateLimit(options.rateLimit ?? {})],
    config: { bodyLimitBytes: options.bodyLimitBytes },
    openapi: [authOpenApi],
    routers: [
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
        path: '/api/review',
        router: createReviewRouter({ projects: store.projects, reviewer }),
        openapi: reviewOpenApi
      },
      {
        path: '/api/tokens',
        router: createTokensRouter({ tokens: store.accounts }),
        openapi: tokensOpenApi
      }
    ],
    log: () => {}
  });
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    localToken: auth.localToken!,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
      await store.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  };
}
