import type { Job } from '@jaxlab/schemas';
import type { IJobs } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';

/**
 * The job `id` if `owner` may see it; else 404 JOB_NOT_FOUND, exactly as
 * for a job that does not exist (another user's job is never confirmed).
 */
export async function ownJob(
  jobs: IJobs,
  id: string,
  owner: string
): Promise<Job> {
  const job = id.length <= 64 ? await jobs.get(id, owner) : null;
  if (!job) {
    throw new HttpError('JOB_NOT_FOUND', `No job ${id}`, {
      hint: 'List your jobs with GET /api/jobs.'
    });
  }
  return job;
}
