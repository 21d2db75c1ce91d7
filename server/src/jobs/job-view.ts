import type { Job } from '@jaxlab/schemas';
import { SCHEMA_DOCUMENTS } from '@jaxlab/schemas';
import type { JobSummary } from '@jaxlab/store';

const JOB_FIELDS: readonly string[] = Object.keys(
  (
    SCHEMA_DOCUMENTS.find(
      s => s.$id === 'https://jaxlab.dev/schemas/job/v1'
    ) as { properties: object }
  ).properties
);

/**
 * A job as the API shows it: exactly the fields of the Job schema, so that
 * whatever else a store keeps on its documents (leases, internal ids) never
 * leaves the server.
 */
export function jobView(job: Job): Job {
  return pick(job) as unknown as Job;
}

/** A job summary (no code, no requirements) as lists show it. */
export function jobSummaryView(job: JobSummary): JobSummary {
  const out = pick(job) as unknown as Job;
  delete (out as Partial<Job>).code;
  delete (out as Partial<Job>).requirements;
  return out;
}

function pick(job: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of JOB_FIELDS) {
    const value = (job as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
