import express from 'express';
import type { Router } from 'express';
import type { Readiness } from '@jaxlab/schemas';

/** A readiness check: resolves when the thing answers, throws what failed. */
export type ReadinessCheck = () => Promise<void>;

/** What `/metrics` serves: a prom-client `Registry` fits. */
export interface IMetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/** Options of {@link operationsRouter}. */
export interface IOperationsOptions {
  /** Named checks `/readyz` runs, all at once (e.g. `store`, `sandbox`). */
  checks: Record<string, ReadinessCheck>;
  /** Prometheus metrics for `/metrics` (omitted: no such route). */
  metrics?: IMetricsSource;
  /** A check slower than this fails (default 2 s). */
  checkTimeoutMs?: number;
}

/**
 * The probes and metrics of a process, without credentials (mount before
 * authentication): `GET /healthz` (the process answers: 200), `GET
 * /readyz` (200 when every check passes, else 503; a {@link Readiness}
 * either way) and `GET /metrics` (Prometheus text exposition format).
 */
export function operationsRouter(options: IOperationsOptions): Router {
  const router = express.Router();
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  router.get('/readyz', async (_req, res) => {
    const entries = await Promise.all(
      Object.entries(options.checks).map(
        async ([name, check]) =>
          [name, await runCheck(check, timeoutMs)] as const
      )
    );
    const body: Readiness = {
      ready: entries.every(([, result]) => result.ok),
      checks: Object.fromEntries(entries)
    };
    res.status(body.ready ? 200 : 503).json(body);
  });
  const { metrics } = options;
  if (metrics) {
    router.get('/metrics', async (_req, res) => {
      const text = await metrics.metrics();
      res.type(metrics.contentType).send(text);
    });
  }
  return router;
}

async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number
): Promise<Readiness['checks'][string]> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${timeoutMs} ms`)),
          timeoutMs
        );
      })
    ]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, ms: elapsed(started), message: message.slice(0, 1000) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
