import { createTokensRouter } from './auth/tokens-router.js';
import { tokensOpenApi } from './auth/auth-openapi.js';
import { createArtifactsRouter, artifactsOpenApi } from './artifacts/index.js';
import type { RunChat } from './chat/index.js';
import { chatOpenApi, createChatRouter } from './chat/index.js';
import type { RegressionChecker } from './experiments/index.js';
import {
  baselinesOpenApi,
  createBaselinesRouter,
  createExperimentsRouter,
  experimentsOpenApi
} from './experiments/index.js';
import { createHostsRouter, hostsOpenApi } from './hosts/index.js';
import { createJobsRouter, jobsOpenApi } from './jobs/index.js';
import type { ILabServerDeps } from './lab-server-deps.js';
import {
  createMakeRunnableRouter,
  makeRunnableOpenApi
} from './loader/index.js';
import type { ILabMetrics } from './operations/lab-metrics.js';
import { createProjectsRouter, projectsOpenApi } from './projects/index.js';
import type { CodeReviewer } from './review/index.js';
import { createReviewRouter, reviewOpenApi } from './review/index.js';
import { createSamplesRouter, samplesOpenApi } from './samples/index.js';
import {
  createSignaturesRouter,
  signaturesOpenApi
} from './signatures/index.js';
import type { SweepScheduler } from './sweeps/index.js';
import { createSweepsRouter, sweepsOpenApi } from './sweeps/index.js';
import type { TableViewer } from './viewer/index.js';

/**
 * The lab's built-in routers, where each is mounted and its OpenAPI part,
 * in mounting order; each receives only the store parts it uses.
 */
export function createLabRouters(
  store: ILabServerDeps['store'],
  services: ILabServices,
  deps: Pick<ILabServerDeps, 'config' | 'clock'>
): ILabServerDeps.IMountedRouter[] {
  const config = deps.config ?? {};
  return [
    {
      path: '/api/jobs',
      router: createJobsRouter({
        jobs: store.jobs,
        events: store.events,
        projects: store.projects,
        artifacts: store.artifacts,
        hosts: store.hosts,
        hostStaleAfterMs: services.hostStaleAfterMs,
        maxJobsPerOwner: config.maxJobsPerOwner,
        onEventSent: event => services.metrics.eventSent(event),
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
        viewer: services.viewer
      }),
      openapi: artifactsOpenApi
    },
    {
      path: '/api/jobs',
      router: createChatRouter({ jobs: store.jobs, chat: services.chat }),
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
        checker: services.regressions,
        now: deps.clock
      }),
      openapi: baselinesOpenApi
    },
    {
      path: '/api/sweeps',
      router: createSweepsRouter({
        sweeps: store.sweeps,
        projects: store.projects,
        scheduler: services.scheduler,
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
      router: createReviewRouter({
        projects: store.projects,
        reviewer: services.reviewer
      }),
      openapi: reviewOpenApi
    },
    {
      path: '/api/make-runnable',
      router: createMakeRunnableRouter(),
      openapi: makeRunnableOpenApi
    }
  ];
}

/** The long-lived services the routers share, made by `createLabServer`. */
export interface ILabServices {
  /** How long a host counts as connected after its last heartbeat. */
  hostStaleAfterMs: number;
  metrics: ILabMetrics;
  viewer: TableViewer;
  chat: RunChat;
  regressions: RegressionChecker;
  scheduler: SweepScheduler;
  reviewer: CodeReviewer;
}
