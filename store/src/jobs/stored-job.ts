import type { Job, ProjectFile } from '@jaxlab/schemas';
import type { IJobs } from './contract.js';
import { newTimeOrderedId } from './time-ordered-id.js';

/**
 * A job's stored fields as both backends hold them once decoded: JSON
 * parsed, flags as booleans, absent values null (or undefined for the
 * parsed ones). Code, files and requirements are absent in summaries.
 */
export interface IStoredJob {
  id: string;
  owner: string;
  projectId: string | null;
  status: Job['status'];
  accelerator: Job['accelerator'];
  deviceCount: number;
  profile: boolean;
  entrypoint: string;
  args: Job['args'];
  /** '' when unnamed. */
  name: string;
  tags: string[];
  /** '' when none. */
  notes: string;
  code?: string;
  files?: ProjectFile[];
  requirements?: string;
  timeLimitMs: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  host: string | null;
  /** 1 unless the job was handed back to the queue. */
  attempt?: number;
  lastSeq: number;
  logTail: string;
  logsDeleted: boolean;
  cancelRequested: boolean;
  failure: Job['failure'];
  metrics: Job['metrics'];
  manifest: Job['manifest'];
  phases: Job['phases'];
  progress: Job['progress'];
  series: Job['series'];
  regression: Job['regression'];
}

/** The fields both backends store as they are, neither encoded nor defaulted. */
export type PlainJobFields = Pick<
  IStoredJob,
  | 'owner'
  | 'projectId'
  | 'status'
  | 'accelerator'
  | 'entrypoint'
  | 'name'
  | 'notes'
  | 'code'
  | 'requirements'
  | 'timeLimitMs'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'finishedAt'
  | 'host'
  | 'lastSeq'
  | 'logTail'
>;

/** What a new job stores of its input, with its id and times. */
export type NewJobFields = Required<
  Pick<
    IStoredJob,
    | 'id'
    | 'projectId'
    | 'accelerator'
    | 'deviceCount'
    | 'profile'
    | 'entrypoint'
    | 'args'
    | 'name'
    | 'tags'
    | 'notes'
    | 'code'
    | 'files'
    | 'requirements'
    | 'timeLimitMs'
    | 'createdAt'
    | 'updatedAt'
  >
>;

/**
 * A new job's input over the defaults, with a new time-ordered id, created
 * `now`, as both backends store it.
 */
export function newJobFields(
  input: IJobs.ICreate,
  now: Date = new Date()
): NewJobFields {
  const time = now.toISOString();
  return {
    id: newTimeOrderedId(now.getTime()),
    projectId: input.projectId,
    accelerator: input.accelerator,
    deviceCount: input.deviceCount ?? 1,
    profile: input.profile ?? false,
    entrypoint: input.entrypoint,
    args: input.args,
    name: input.name ?? '',
    tags: input.tags ?? [],
    notes: input.notes ?? '',
    code: input.code,
    files: input.files ?? [],
    requirements: input.requirements,
    timeLimitMs: input.timeLimitMs ?? null,
    createdAt: time,
    updatedAt: time
  };
}

/**
 * The job (or, without code, files and requirements, its summary) as the API
 * shows it: optional fields only where set, in one field order.
 */
export function storedJobToJob(stored: IStoredJob): Job {
  const job: Partial<Job> = {
    id: stored.id,
    owner: stored.owner,
    projectId: stored.projectId,
    status: stored.status,
    accelerator: stored.accelerator,
    deviceCount: stored.deviceCount,
    profile: stored.profile,
    entrypoint: stored.entrypoint,
    args: stored.args
  };
  if (stored.name) job.name = stored.name;
  if (stored.tags.length) job.tags = stored.tags;
  if (stored.notes) job.notes = stored.notes;
  if (stored.code !== undefined) job.code = stored.code;
  if (stored.files !== undefined) job.files = stored.files;
  if (stored.requirements !== undefined) job.requirements = stored.requirements;
  if (stored.timeLimitMs !== null) job.timeLimitMs = stored.timeLimitMs;
  job.createdAt = stored.createdAt;
  job.updatedAt = stored.updatedAt;
  if (stored.startedAt !== null) job.startedAt = stored.startedAt;
  if (stored.finishedAt !== null) job.finishedAt = stored.finishedAt;
  if (stored.host !== null) job.host = stored.host;
  if (stored.attempt !== undefined && stored.attempt > 1)
    job.attempt = stored.attempt;
  job.lastSeq = stored.lastSeq;
  job.logTail = stored.logTail;
  if (stored.logsDeleted) job.logsDeleted = true;
  job.cancelRequested = stored.cancelRequested;
  if (stored.failure) job.failure = stored.failure;
  if (stored.metrics) job.metrics = stored.metrics;
  if (stored.manifest) job.manifest = stored.manifest;
  if (stored.phases?.length) job.phases = stored.phases;
  if (stored.progress) job.progress = stored.progress;
  if (stored.series) job.series = stored.series;
  if (stored.regression) job.regression = stored.regression;
  return job as Job;
}
