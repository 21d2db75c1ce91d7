import type { Artifact, ChatContext, Job } from '@jaxlab/schemas';
import type { IJobArtifacts, IJobEvents } from '@jaxlab/store';
import type { TableViewer } from '../viewer/index.js';
import { tableFormatOf } from '../viewer/index.js';
import { summariseLogSeries } from './log-series.js';

type Chip = ChatContext['chips'][number];

/** What the context of a run is read from. */
export interface IRunContextSources {
  events: IJobEvents;
  artifacts: IJobArtifacts;
  viewer: TableViewer;
}

/** Log lines of the tail sent. */
const LOG_TAIL_LINES = 60;
/** Table artifacts described with statistics, at most. */
const MAX_TABLES = 5;

/**
 * The explicit context of a chat about `job` (and, for a comparison, the
 * `others`): one chip per part, each the exact text the model gets. Every
 * number is computed here — series summaries from the stored log, column
 * statistics by the data viewer's index, differences of the comparison —
 * so the model quotes numbers instead of guessing them.
 */
export async function buildRunContext(
  sources: IRunContextSources,
  job: Job,
  others: Job[] = []
): Promise<ChatContext> {
  const chips: Chip[] = [];
  for (const run of [job, ...others]) {
    chips.push(manifestChip(run), metricsChip(run));
    const series = await seriesChip(sources, run);
    if (series) chips.push(series);
    chips.push(logChip(run));
    const artifacts = await artifactsChip(sources, run);
    if (artifacts) chips.push(artifacts);
  }
  if (others.length) chips.push(diffChip(job, others));
  return { chips: chips.map(c => ({ ...c, text: c.text.slice(0, 40_000) })) };
}

function callOf(job: Job): string {
  const args = Object.entries(job.args ?? {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${job.entrypoint}(${args})`;
}

function manifestChip(job: Job): Chip {
  const m = job.manifest;
  const lines = [
    `run ${job.id}: ${callOf(job)}`,
    `status ${job.status}${job.failure ? ` (${job.failure.reason}: ${job.failure.message})` : ''}`,
    `accelerator asked: ${job.accelerator}; created ${job.createdAt}${job.startedAt ? `, started ${job.startedAt}` : ''}${job.finishedAt ? `, finished ${job.finishedAt}` : ''}`
  ];
  if (job.startedAt && job.finishedAt)
    lines.push(
      `wall time ${((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000).toFixed(2)} s`
    );
  if (m) {
    lines.push(
      `code sha256 ${m.codeSha256.slice(0, 12)}, host ${m.host}, python ${m.python ?? '?'}, jax ${m.jax ?? '?'}`
    );
    if (m.device) lines.push(`device ${m.device.platform} x${m.device.count}`);
    if (m.packages && Object.keys(m.packages).length)
      lines.push(
        `packages: ${Object.entries(m.packages)
          .map(([k, v]) => `${k}==${v}`)
          .join(', ')}`
      );
  }
  return {
    kind: 'manifest',
    label: `Run ${job.id.slice(-8)}: ${callOf(job)}`.slice(0, 200),
    jobId: job.id,
    text: lines.join('\n')
  };
}

function metricsChip(job: Job): Chip {
  const metrics = job.metrics;
  const text = metrics
    ? [
        `execution ${metrics.executionTimeMs.toFixed(1)} ms, compilation ${metrics.compilationTimeMs.toFixed(1)} ms`,
        ...Object.entries(metrics.values).map(([k, v]) => `${k} = ${v}`)
      ].join('\n')
    : 'no metrics were reported';
  return {
    kind: 'metrics',
    label: `Metrics of ${job.id.slice(-8)}`,
    jobId: job.id,
    text: `run ${job.id} metrics:\n${text}`
  };
}

async function seriesChip(
  sources: IRunContextSources,
  job: Job
): Promise<Chip | undefined> {
  const { series, truncated } = await summariseLogSeries(
    sources.events,
    job.id
  );
  if (!series.length) return undefined;
  const lines = series.map(
    s =>
      `${s.name}: ${s.points} points; first ${s.first.value} at step ${s.first.step}; last ${s.last.value} at step ${s.last.step}; min ${s.min.value} at step ${s.min.step}; max ${s.max.value} at step ${s.max.step}`
  );
  if (truncated) lines.push('(from the first 20,000 log chunks only)');
  return {
    kind: 'series',
    label:
      `Series of ${job.id.slice(-8)}: ${series.map(s => s.name).join(', ')}`.slice(
        0,
        200
      ),
    jobId: job.id,
    text: `run ${job.id} step series (from its log):\n${lines.join('\n')}`
  };
}

function logChip(job: Job): Chip {
  const lines = (job.logTail ?? '').split('\n');
  const tail = lines.slice(-LOG_TAIL_LINES).join('\n');
  return {
    kind: 'log',
    label: `Log tail of ${job.id.slice(-8)} (${Math.min(lines.length, LOG_TAIL_LINES)} lines)`,
    jobId: job.id,
    text: `run ${job.id} last log lines:\n${tail || '(empty)'}`
  };
}

async function artifactsChip(
  sources: IRunContextSources,
  job: Job
): Promise<Chip | undefined> {
  const items = await sources.artifacts.list(job.id);
  if (!items.length) return undefined;
  const lines: string[] = [];
  let tables = 0;
  for (const a of items) {
    lines.push(
      `file ${a.name}: ${a.contentType}, ${a.sizeBytes} bytes, sha256 ${a.sha256.slice(0, 12)}${a.deletedAt ? ' (content deleted by retention)' : ''}`
    );
    if (!a.deletedAt && tableFormatOf(a.name) && tables < MAX_TABLES) {
      tables++;
      lines.push(...(await tableStatistics(sources, a)));
    }
  }
  return {
    kind: 'artifacts',
    label:
      `Files of ${job.id.slice(-8)}: ${items.map(a => a.name).join(', ')}`.slice(
        0,
        200
      ),
    jobId: job.id,
    text: `run ${job.id} files in outputs/:\n${lines.join('\n')}`
  };
}

async function tableStatistics(
  sources: IRunContextSources,
  artifact: Artifact
): Promise<string[]> {
  try {
    const page = await sources.viewer.page(
      {
        name: artifact.name,
        sha256: artifact.sha256,
        sizeBytes: artifact.sizeBytes,
        open: async range => {
          const stream = await sources.artifacts.openContent(
            artifact.sha256,
            range
          );
          if (!stream) throw new Error('content deleted');
          return stream;
        }
      },
      { offset: 0, limit: 1, filters: [], whole: true }
    );
    return [
      `  ${page.rowsIndexed} rows; columns:`,
      ...page.columns.map(c => {
        const s = c.summary;
        return `  - ${c.name} (${c.type})${s ? `: count ${s.count}, missing ${s.missing}, mean ${s.mean}, min ${s.min}, max ${s.max}` : ''}`;
      })
    ];
  } catch (error) {
    return [`  (not readable as a table: ${(error as Error).message})`];
  }
}

function diffChip(job: Job, others: Job[]): Chip {
  const lines: string[] = [];
  for (const other of others) {
    lines.push(`run ${other.id} against run ${job.id}:`);
    const keys = new Set([
      ...Object.keys(job.args ?? {}),
      ...Object.keys(other.args ?? {})
    ]);
    for (const key of keys) {
      const a = JSON.stringify(job.args?.[key]);
      const b = JSON.stringify(other.args?.[key]);
      if (a !== b)
        lines.push(`  argument ${key}: ${a ?? '(unset)'} -> ${b ?? '(unset)'}`);
    }
    if (job.manifest?.codeSha256 !== other.manifest?.codeSha256)
      lines.push('  code differs');
    if (job.status !== other.status)
      lines.push(`  status ${job.status} -> ${other.status}`);
    const values = new Set([
      ...Object.keys(job.metrics?.values ?? {}),
      ...Object.keys(other.metrics?.values ?? {})
    ]);
    for (const name of values) {
      const a = job.metrics?.values[name];
      const b = other.metrics?.values[name];
      if (a === undefined || b === undefined) {
        lines.push(`  ${name}: ${a ?? '(none)'} -> ${b ?? '(none)'}`);
        continue;
      }
      const delta = b - a;
      const ratio = a !== 0 ? ` (${(b / a).toFixed(4)}x)` : '';
      lines.push(`  ${name}: ${a} -> ${b}, difference ${delta}${ratio}`);
    }
    if (job.metrics && other.metrics)
      lines.push(
        `  execution ms: ${job.metrics.executionTimeMs.toFixed(1)} -> ${other.metrics.executionTimeMs.toFixed(1)}`
      );
  }
  return {
    kind: 'diff',
    label:
      `Comparison with ${others.map(o => o.id.slice(-8)).join(', ')}`.slice(
        0,
        200
      ),
    text: lines.join('\n')
  };
}
