import type { Job, Notebook, Project } from '@jaxlab/schemas';
import {
  KERNEL_DISPLAY_NAME,
  KERNEL_SPEC_NAME,
  deviceBadge,
  pythonCall,
  runtimeVersions
} from '@jaxlab/schemas';
import type { IJobEvents } from '@jaxlab/store';
import type { INotebookArtifacts } from './artifact-outputs.js';
import {
  StreamOutputs,
  failureOutput,
  metricsOutput
} from './notebook-outputs.js';

/** Log chunks read per store call while exporting. */
const LOG_PAGE = 5000;

/** Default cap on the log text a notebook carries: 16 Mi characters. */
export const NOTEBOOK_MAX_LOG_CHARS = 16 * 1024 * 1024;

/**
 * A job as an nbformat 4.5 notebook (valid under `nbformat.validate`):
 *
 * 1. the project's README as markdown (a heading naming the job when there
 *    is no project or no README);
 * 2. the job's files, each as a `%%writefile <path>` code cell that the
 *    restricted kernel writes into its folder (so the notebook re-runs):
 *    main.py, then the project's other files (`models.py`,
 *    `utils/data.py`, ...), then requirements.txt when it has lines;
 * 3. the designated call (`train_step(steps=100)`) as a code cell carrying
 *    the run's outputs: stdout/stderr from the stored log chunks in order,
 *    the metrics as `application/vnd.jaxlab.metrics+json` display data, and
 *    an error output for a failed or cancelled run, and the images the run
 *    kept (PNG, JPEG, SVG from outputs/) as display data;
 * 4. when it kept files, a markdown table of them (size, sha256, download);
 * 5. where it ran, as markdown: the device badge (platform, count, kind),
 *    host, and the jax, jaxlib, plugin and driver versions.
 *
 * `metadata.jaxlab` holds the call as made, the run's name, tags and notes,
 * status, failure, timings and phases, host, metrics, the summary of its
 * step series and the run manifest (versions); the kernelspec is the
 * restricted kernel's.
 */
export async function exportNotebook(
  events: IJobEvents,
  job: Job,
  project: Project | null,
  options: { maxLogChars?: number; artifacts?: INotebookArtifacts } = {}
): Promise<Notebook> {
  const streams = new StreamOutputs(
    options.maxLogChars ?? NOTEBOOK_MAX_LOG_CHARS
  );
  if (!job.logsDeleted) {
    for (let after = 0; !streams.isTruncated;) {
      const chunks = await events.readLogs(job.id, after, LOG_PAGE);
      streams.add(chunks);
      if (chunks.length < LOG_PAGE) break;
      after = chunks[chunks.length - 1].seq;
    }
  }
  const outputs = streams.toOutputs();
  if (job.metrics) outputs.push(metricsOutput(job.metrics));
  outputs.push(...(options.artifacts?.images ?? []));
  const failure = failureOutput(job);
  if (failure) outputs.push(failure);
  const ran = job.startedAt !== undefined || outputs.length > 0;

  const files = [
    { path: 'main.py', content: job.code },
    ...(job.files ?? []),
    ...(job.requirements.trim()
      ? [{ path: 'requirements.txt', content: job.requirements }]
      : [])
  ];
  const readme = project?.readme.trim()
    ? project.readme
    : `# ${project?.name ?? 'JAX TPU Lab job'}\n\nJob \`${job.id}\` (${job.status}).\n`;
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: KERNEL_SPEC_NAME,
        display_name: KERNEL_DISPLAY_NAME,
        language: 'python'
      },
      language_info: {
        name: 'python',
        ...(job.manifest?.python ? { version: job.manifest.python } : {})
      },
      jaxlab: jaxlabMetadata(job, project, streams.isTruncated)
    },
    cells: [
      { id: 'readme', cell_type: 'markdown', metadata: {}, source: readme },
      ...files.map((file, i) => ({
        // `%%writefile <path>`: the restricted kernel writes the snapshot
        // into its folder, so "Restart Kernel and Run All Cells" re-runs it.
        id: i === 0 ? 'main-py' : `file-${i}`,
        cell_type: 'code' as const,
        metadata: { jaxlab: { file: file.path } },
        source: `%%writefile ${file.path}\n${file.content}`,
        execution_count: ran ? i + 1 : null,
        outputs: ran
          ? [
              {
                output_type: 'stream' as const,
                name: 'stdout' as const,
                text: `Writing ${file.path}\n`
              }
            ]
          : []
      })),
      {
        id: 'designated-call',
        cell_type: 'code',
        metadata: { jaxlab: { entrypoint: job.entrypoint } },
        source: pythonCall(job.entrypoint, job.args),
        execution_count: ran ? files.length + 1 : null,
        outputs
      },
      ...(options.artifacts?.listing
        ? [
            {
              id: 'outputs',
              cell_type: 'markdown' as const,
              metadata: {},
              source: options.artifacts.listing
            }
          ]
        : []),
      {
        id: 'ran-on',
        cell_type: 'markdown',
        metadata: {},
        source: ranOn(job)
      }
    ]
  };
}

/** The markdown of where the run ran: its device badge, host and versions. */
function ranOn(job: Job): string {
  const host = job.host ?? job.manifest?.host;
  const versions = runtimeVersions(job.manifest);
  return [
    `**Ran on** \`${deviceBadge(job)}\`${host ? ` on host \`${host}\`` : ''}${job.manifest?.slots?.length ? ` (slots ${job.manifest.slots.join(', ')})` : ''}.`,
    ...(versions ? [`Software: ${versions}.`] : [])
  ].join('\n\n');
}

/** The attachment name of a job's notebook: `<project or job>-<job id>.ipynb`. */
export function notebookFileName(job: Job, project: Project | null): string {
  const base = (project?.name ?? 'jaxlab-job')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'jaxlab-job'}-${job.id.replace(/[^A-Za-z0-9_-]/g, '')}.ipynb`;
}

function jaxlabMetadata(
  job: Job,
  project: Project | null,
  logTruncated: boolean
): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    jobId: job.id,
    projectId: job.projectId,
    projectName: project?.name ?? null,
    status: job.status,
    accelerator: job.accelerator,
    entrypoint: job.entrypoint,
    args: job.args,
    call: pythonCall(job.entrypoint, job.args),
    name: job.name ?? null,
    tags: job.tags ?? [],
    notes: job.notes ?? null,
    requirements: job.requirements,
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    durationMs:
      job.startedAt && job.finishedAt
        ? Date.parse(job.finishedAt) - Date.parse(job.startedAt)
        : null,
    timeLimitMs: job.timeLimitMs ?? null,
    host: job.host ?? job.manifest?.host ?? null,
    failure: job.failure ?? null,
    metrics: job.metrics ?? null,
    series: job.series ?? null,
    progress: job.progress ?? null,
    phases: job.phases ?? [],
    manifest: job.manifest ?? null
  };
  if (job.logsDeleted) meta.logsDeleted = true;
  if (logTruncated) meta.logTruncated = true;
  return meta;
}
