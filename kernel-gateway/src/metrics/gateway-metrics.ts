import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Job } from '@jaxlab/schemas';

import type { IRunnerMetrics } from '../jobs/runner/job-runner-options.js';
import type { JobOutcome } from '../jobs/runner/job-outcome.js';

/** Seconds: from a trivial job (tens of ms) to a long training run. */
const DURATION_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200
];

/** What the gateway's metrics read at each scrape. */
export interface IGatewayMetricsSources {
  /** Kernels alive on this host (jobs' and notebooks'). */
  kernelsRunning(): number;
}

/**
 * The gateway's Prometheus metrics (prom-client), this host's own: jobs
 * claimed and how they ended (status and reason), their run time and
 * queue wait, kernels running, sandbox failures, store errors of the job
 * loop. Not prom-client's default process metrics: their GC observer and
 * event-loop sampler cost the gateway's event loop measurably under an
 * output flood (the flood test's p99). The lab-wide job counts and queue
 * depth are the server's (read from the store).
 */
export class GatewayMetrics {
  constructor(sources: IGatewayMetricsSources) {
    // Every metric is this host's (in its own registry); every histogram
    // is a duration in seconds.
    const registers = [this.registry];
    const counter = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[]
    ) => new Counter({ name, help, labelNames, registers });
    const durations = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[]
    ) =>
      new Histogram({
        name,
        help,
        labelNames,
        buckets: DURATION_BUCKETS,
        registers
      });
    this._claimed = counter(
      'jaxlab_gateway_jobs_claimed_total',
      'Jobs this host claimed, by accelerator.',
      ['accelerator']
    );
    this._ended = counter(
      'jaxlab_gateway_jobs_ended_total',
      'Jobs this host ran that ended, by status (COMPLETED, FAILED, CANCELLED; requeued: handed back at shutdown; lost: the lease lapsed) and failure reason.',
      ['status', 'reason']
    );
    this._duration = durations(
      'jaxlab_gateway_job_duration_seconds',
      'From claim to end of the jobs this host ran.',
      ['accelerator', 'status']
    );
    this._queueWait = durations(
      'jaxlab_gateway_job_queue_wait_seconds',
      'From submission to claim, of the jobs this host claimed.',
      ['accelerator']
    );
    this._sandboxFailures = counter(
      'jaxlab_gateway_sandbox_failures_total',
      'Jobs that ended SANDBOX_VIOLATION, and failed sandbox probes of /readyz.',
      ['kind']
    );
    this._storeErrors = counter(
      'jaxlab_gateway_store_errors_total',
      "Store operations of this host's job loop that failed.",
      ['operation']
    );
    new Gauge({
      name: 'jaxlab_gateway_kernels_running',
      help: 'Kernels alive on this host.',
      registers,
      collect() {
        this.set(sources.kernelsRunning());
      }
    });
  }

  readonly registry = new Registry();

  /** The hooks a JobRunner reports to. */
  readonly runner: IRunnerMetrics = {
    claimed: (job: Job) => {
      this._claimed.inc({ accelerator: job.accelerator });
      this._claimedAt.set(job.id, Date.now());
      const waited = Date.now() - Date.parse(job.createdAt);
      if (waited >= 0)
        this._queueWait.observe(
          { accelerator: job.accelerator },
          waited / 1000
        );
    },
    ended: (job: Job, outcome: JobOutcome) => {
      const reason = 'failure' in outcome ? outcome.failure.reason : '';
      this._ended.inc({ status: outcome.status, reason });
      if (reason === 'SANDBOX_VIOLATION')
        this._sandboxFailures.inc({ kind: 'job' });
      const claimedAt = this._claimedAt.get(job.id);
      this._claimedAt.delete(job.id);
      if (claimedAt !== undefined)
        this._duration.observe(
          { accelerator: job.accelerator, status: outcome.status },
          (Date.now() - claimedAt) / 1000
        );
    },
    storeError: operation => this._storeErrors.inc({ operation })
  };

  /** A /readyz sandbox probe failed. */
  sandboxProbeFailed(): void {
    this._sandboxFailures.inc({ kind: 'probe' });
  }

  private _claimed: Counter<'accelerator'>;
  private _claimedAt = new Map<string, number>();
  private _duration: Histogram<'accelerator' | 'status'>;
  private _ended: Counter<'status' | 'reason'>;
  private _queueWait: Histogram<'accelerator'>;
  private _sandboxFailures: Counter<'kind'>;
  private _storeErrors: Counter<'operation'>;
}
