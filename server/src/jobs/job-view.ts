import type { Job, JobSummary } from '@jaxlab/schemas';
import { SCHEMA_DOCUMENTS, schemaId } from '@jaxlab/schemas';

const fieldsOf = (name: 'job' | 'job-summary'): readonly string[] =>
  Object.keys(
    (
      SCHEMA_DOCUMENTS.find(s => s.$id === schemaId(name)) as {
        properties: object;
      }
    ).properties
  );
const JOB_FIELDS = fieldsOf('job');
const SUMMARY_FIELDS = fieldsOf('job-summary');

/**
 * A job as the API shows it: exactly the fields of the Job schema, so that
 * whatever else a store keeps on its documents (leases, internal ids) never
 * leaves the server.
 */
export function jobView(job: Job): Job {
  return pick(job, JOB_FIELDS) as unknown as Job;
}

/** A job summary as lists show it: the fields of the JobSummary schema. */
export function jobSummaryView(job: JobSummary): JobSummary {
  return pick(job, SUMMARY_FIELDS) as unknown as JobSummary;
}

function pick(job: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of fields) {
    const value = (job as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
