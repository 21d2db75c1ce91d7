/**
 * Processes of a scaled-out lab for the scale-out test: `jaxlab-server`
 * replicas (server/lib, built by the test command's bootstrap) on one
 * MongoDB, an SSE client, and a Prometheus text reader.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import parsePrometheusTextFormat from 'parse-prometheus-text-format';

import { until } from './gateway-process.js';

const SERVER_BIN = fileURLToPath(
  new URL('../../../server/lib/bin/jaxlab-server.js', import.meta.url)
);

/** A started server replica. */
export interface IServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output(): string;
}

/** Starts `jaxlab-server` on a free port; resolves once it listens. */
export async function startServerProcess(
  dataDir: string,
  env: NodeJS.ProcessEnv
): Promise<IServerProcess> {
  const child = spawn(
    process.execPath,
    [SERVER_BIN, '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env }
  );
  let output = '';
  child.stdout!.on('data', chunk => (output += String(chunk)));
  child.stderr!.on('data', chunk => (output += String(chunk)));
  const pattern = /jaxlab-server (http:\/\/\S+)/;
  const started = await until(
    () => pattern.test(output) || child.exitCode !== null,
    60_000
  );
  const baseUrl = pattern.exec(output)?.[1];
  if (!started || !baseUrl) {
    child.kill('SIGKILL');
    throw new Error(`jaxlab-server did not start:\n${output}`);
  }
  return { child, baseUrl, output: () => output };
}

/** One sample of a Prometheus metric: its labels and value. */
export interface IMetricSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * GETs `/metrics` and parses it as Prometheus text exposition format
 * (throws when it does not parse): samples by metric name.
 */
export async function scrapeMetrics(
  baseUrl: string
): Promise<Map<string, IMetricSample[]>> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  const families = parsePrometheusTextFormat(await res.text());
  return new Map(
    families.map(family => [
      family.name,
      family.metrics.map(m => ({
        labels: (m as { labels?: Record<string, string> }).labels ?? {},
        value: Number((m as { value?: string }).value ?? NaN)
      }))
    ])
  );
}

/** The sum of the samples of `name` whose labels include `labels`. */
export function metricSum(
  metrics: Map<string, IMetricSample[]>,
  name: string,
  labels: Record<string, string> = {}
): number {
  return (metrics.get(name) ?? [])
    .filter(s => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Polls `check` every 100 ms until it holds (true) or `timeoutMs` passed (false). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
