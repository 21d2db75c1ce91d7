import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics
} from 'prom-client';
import type { JobEvent } from '@jaxlab/schemas';
import type { IHosts, IJobs } from '@jaxlab/store';

/** What {@link createLabMetrics} reads at each scrape. */
export interface ILabMetricsSources {
  jobs: Pick<IJobs, 'countByStatus'>;
  hosts: Pick<IHosts, 'list'>;
  /** A host counts as live this long after its heartbeat. */
  hostStaleAfterMs: number;
}

/** The server's Prometheus metrics and the hooks that feed them. */
export interface ILabMetrics {
  readonly registry: Registry;
  /** An event went out on an SSE stream. */
  eventSent(event: JobEvent): void;
  /** A request failed because the store did not answer. */
  storeError(): void;
}

/**
 * The server's metrics (prom-client): the job counts are read from the
 * store at each scrape, so every replica reports the whole lab and the
 * figures agree with the database (jobs by status, accelerator and reason;
 * the queue's depth per accelerator; live hosts); the rest are this
 * replica's own (SSE event latency, store errors, the Node process).
 */
export function createLabMetrics(sources: ILabMetricsSources): ILabMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const storeErrors = new Counter({
    name: 'jaxlab_server_store_errors_total',
    help: 'Requests and scrapes of this server replica that failed because the store did not answer.',
    registers: [registry]
  });
  let counts: Promise<Awaited<ReturnType<IJobs['countByStatus']>>> | undefined;
  // One store read per scrape, shared by the gauges that need it.
  const readCounts = () => {
    counts ??= sources.jobs.countByStatus().finally(() => {
      setImmediate(() => (counts = undefined));
    });
    return counts;
  };
  new Gauge({
    name: 'jaxlab_jobs',
    help: 'Jobs in the store by status, accelerator and failure reason (the whole lab, read at scrape).',
    labelNames: ['status', 'accelerator', 'reason'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const c of await readCounts())
          this.set(
            {
              status: c.status,
              accelerator: c.accelerator,
              reason: c.reason ?? ''
            },
            c.count
          );
      } catch {
        storeErrors.inc();
      }
    }
  });
  new Gauge({
    name: 'jaxlab_queue_depth',
    help: 'QUEUED jobs per accelerator (the whole lab, read at scrape).',
    labelNames: ['accelerator'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const accelerator of ['cpu', 'gpu', 'tpu'])
        this.set({ accelerator }, 0);
      try {
        for (const c of await readCounts())
          if (c.status === 'QUEUED')
            this.inc({ accelerator: c.accelerator }, c.count);
      } catch {
        storeErrors.inc();
      }
    }
  });
  new Gauge({
    name: 'jaxlab_hosts_live',
    help: 'Gateway hosts whose heartbeat is recent.',
    registers: [registry],
    async collect() {
      try {
        const since = new Date(Date.now() - sources.hostStaleAfterMs);
        this.set((await sources.hosts.list(since)).length);
      } catch {
        storeErrors.inc();
      }
    }
  });
  const eventLatency = new Histogram({
    name: 'jaxlab_sse_event_latency_seconds',
    help: 'From the time a gateway stamped a job event to this replica sending it on an SSE stream (live events only).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry]
  });
  return {
    registry,
    eventSent(event) {
      const seconds = (Date.now() - Date.parse(event.time)) / 1000;
      // Replayed history (a reconnect, a late watcher) is not latency.
      if (seconds >= 0 && seconds < 10) eventLatency.observe(seconds);
    },
    storeError: () => storeErrors.inc()
  };
}
