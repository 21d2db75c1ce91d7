import { createHash } from 'node:crypto';
import type {
  ComparedMetric,
  ComparedParameter,
  Job,
  RunComparison
} from '@jaxlab/schemas';
import { deviceBadge, pythonCall, pythonLiteral } from '@jaxlab/schemas';
import { jobSummaryView } from '../jobs/job-view.js';

/**
 * What `runs` ran with and what they measured, side by side (the answer of
 * `GET /api/experiments/compare`): one value per run in each parameter row,
 * with `differs` set where they are not all the same, so a client can show
 * only the differences; per metric each run's final, smallest and largest
 * value. Pure.
 *
 * Parameters: the call as made, each argument, the accelerator and device,
 * the code (SHA-256, 12 digits) and requirements, resolved package versions,
 * JAX, jaxlib, JAX plugins, the driver and Python, the host, the time
 * limit, the project and tags.
 * Metrics: each step series (final = last value), each run value
 * (`Final <name>:` lines, a returned dict), compilation and execution time.
 */
export function compareRuns(
  runs: readonly Job[],
  projectNames: Readonly<Record<string, string>>
): RunComparison {
  const parameters: ComparedParameter[] = [];
  const row = (
    key: string,
    label: string,
    value: (job: Job) => string | null | undefined
  ): void => {
    const values = runs.map(job => value(job) ?? null);
    parameters.push({
      key,
      label,
      values,
      differs: new Set(values).size > 1
    });
  };
  row('call', 'Call', job => pythonCall(job.entrypoint, job.args));
  for (const name of union(runs.map(job => Object.keys(job.args)))) {
    row(`args.${name}`, name, job =>
      name in job.args ? pythonLiteral(job.args[name]) : null
    );
  }
  row('accelerator', 'Accelerator', job => job.accelerator.toUpperCase());
  row('device', 'Device', deviceBadge);
  row('code', 'main.py (SHA-256)', job => sha256(job.code).slice(0, 12));
  row(
    'requirements',
    'requirements.txt',
    job =>
      job.requirements
        .split('\n')
        .map(line => line.trim())
        .filter(Boolean)
        .join('; ') || '(none)'
  );
  for (const name of union(
    runs.map(job => Object.keys(job.manifest?.packages ?? {}))
  )) {
    row(`packages.${name}`, name, job => job.manifest?.packages?.[name]);
  }
  row('jax', 'jax', job => job.manifest?.jax);
  row('jaxlib', 'jaxlib', job => job.manifest?.jaxlib);
  for (const name of union(
    runs.map(job => Object.keys(job.manifest?.jaxPlugins ?? {}))
  )) {
    row(`jaxPlugins.${name}`, name, job => job.manifest?.jaxPlugins?.[name]);
  }
  row('driver', 'Driver', job => job.manifest?.driver);
  row('python', 'Python', job => job.manifest?.python);
  row('host', 'Host', job => job.host ?? job.manifest?.host);
  row('timeLimitMs', 'Time limit', job =>
    job.timeLimitMs === undefined ? null : `${job.timeLimitMs / 1000} s`
  );
  row('project', 'Project', job =>
    job.projectId ? (projectNames[job.projectId] ?? job.projectId) : null
  );
  row('tags', 'Tags', job => (job.tags ?? []).join(', ') || null);

  const metrics: ComparedMetric[] = [];
  for (const name of union(runs.map(job => Object.keys(job.series ?? {})))) {
    metrics.push({
      name,
      source: 'series',
      final: runs.map(job => job.series?.[name]?.last ?? null),
      min: runs.map(job => job.series?.[name]?.min ?? null),
      max: runs.map(job => job.series?.[name]?.max ?? null)
    });
  }
  for (const name of union(
    runs.map(job => Object.keys(job.metrics?.values ?? {}))
  )) {
    metrics.push(single(name, 'value', job => job.metrics?.values[name]));
  }
  metrics.push(
    single('compilationTimeMs', 'time', job => job.metrics?.compilationTimeMs),
    single('executionTimeMs', 'time', job => job.metrics?.executionTimeMs)
  );

  const projects: Record<string, string> = {};
  for (const job of runs) {
    if (job.projectId && projectNames[job.projectId]) {
      projects[job.projectId] = projectNames[job.projectId];
    }
  }
  return {
    runs: runs.map(job => jobSummaryView(job)),
    projects,
    parameters,
    metrics
  };

  function single(
    name: string,
    source: ComparedMetric['source'],
    value: (job: Job) => number | undefined
  ): ComparedMetric {
    const final = runs.map(job => value(job) ?? null);
    return {
      name,
      source,
      final,
      min: final.map(() => null),
      max: final.map(() => null)
    };
  }
}

/** The distinct items of the lists, in first-seen order. */
function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
