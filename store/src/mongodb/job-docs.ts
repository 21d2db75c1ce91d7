import type { Filter } from 'mongodb';
import type {
  Failure,
  Job,
  JobStatus,
  Metrics,
  RunManifest
} from '@jaxlab/schemas';
import { FINAL_JOB_STATUSES } from '@jaxlab/schemas';
import { storedJobToJob } from '../jobs/stored-job.js';

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
  return storedJobToJob({
    ...doc,
    id: doc._id,
    args: JSON.parse(doc.argsJson) as Job['args'],
    failure: doc.failure ?? undefined,
    metrics: parseJsonField<Metrics>(doc.metricsJson),
    manifest: parseJsonField<RunManifest>(doc.manifestJson)
  });
}
