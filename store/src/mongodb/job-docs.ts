import type { Filter } from 'mongodb';
import type {
  Failure,
  Job,
  JobStatus,
  Metrics,
  RunManifest
} from '@jaxlab/schemas';
import { FINAL_JOB_STATUSES } from '@jaxlab/schemas';

/** Matches a job that has not ended. */
export const NOT_FINAL: Filter<IJobDoc>['status'] = {
  $nin: [...FINAL_JOB_STATUSES] as JobStatus[]
};

/**
 * A job document. Fields whose keys come from users (args, metrics values,
 * manifest packages such as `zope.interface`) are stored as JSON text so
 * that no key can collide with MongoDB's `$`/`.` rules.
 */
export interface IJobDoc {
  _id: string;
  owner: string;
  projectId: string | null;
  status: JobStatus;
  accelerator: Job['accelerator'];
  entrypoint: string;
  argsJson: string;
  code?: string;
  requirements?: string;
  timeLimitMs: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  host: string | null;
  leaseHolder: string | null;
  leaseExpiresAt: number | null;
  lastSeq: number;
  logTail: string;
  logsDeleted: boolean;
  cancelRequested: boolean;
  failure: Failure | null;
  metricsJson: string | null;
  manifestJson: string | null;
}

/** Parses a JSON field; null or missing stays undefined. */
export function parseJsonField<T>(
  text: string | null | undefined
): T | undefined {
  return text === null || text === undefined
    ? undefined
    : (JSON.parse(text) as T);
}

/** A job (or, without code and requirements, a summary) from its document. */
export function docToJob(doc: IJobDoc): Job {
  const job: Partial<Job> = {
    id: doc._id,
    owner: doc.owner,
    projectId: doc.projectId,
    status: doc.status,
    accelerator: doc.accelerator,
    entrypoint: doc.entrypoint,
    args: JSON.parse(doc.argsJson) as Job['args']
  };
  if (doc.code !== undefined) job.code = doc.code;
  if (doc.requirements !== undefined) job.requirements = doc.requirements;
  if (doc.timeLimitMs !== null) job.timeLimitMs = doc.timeLimitMs;
  job.createdAt = doc.createdAt;
  job.updatedAt = doc.updatedAt;
  if (doc.startedAt !== null) job.startedAt = doc.startedAt;
  if (doc.finishedAt !== null) job.finishedAt = doc.finishedAt;
  if (doc.host !== null) job.host = doc.host;
  job.lastSeq = doc.lastSeq;
  job.logTail = doc.logTail;
  if (doc.logsDeleted) job.logsDeleted = true;
  job.cancelRequested = doc.cancelRequested;
  if (doc.failure !== null) job.failure = doc.failure;
  const metrics = parseJsonField<Metrics>(doc.metricsJson);
  if (metrics) job.metrics = metrics;
  const manifest = parseJsonField<RunManifest>(doc.manifestJson);
  if (manifest) job.manifest = manifest;
  return job as Job;
}
