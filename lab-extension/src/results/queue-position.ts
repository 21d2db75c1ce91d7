import type { Job } from '@jaxlab/schemas/contract';
import type { ApiClient } from '../api/api-client.js';

/**
 * While `isQueued()`, fetches job `jobId` every `everyMs` and hands it to
 * `onJob` (its `queuePosition` is the place in the queue); stops when
 * `signal` aborts. A failed fetch is skipped: the event stream reports a
 * server that went away.
 */
export async function followQueuePosition(
  client: ApiClient,
  jobId: string,
  options: {
    isQueued: () => boolean;
    onJob: (job: Job) => void;
    signal: AbortSignal;
    everyMs?: number;
  }
): Promise<void> {
  const { isQueued, onJob, signal, everyMs = 2000 } = options;
  while (isQueued() && !signal.aborted) {
    await new Promise(resolve => window.setTimeout(resolve, everyMs));
    if (signal.aborted || !isQueued()) return;
    try {
      const job = await client.getJob(jobId);
      if (signal.aborted || !isQueued()) return;
      onJob(job);
    } catch {
      // The event stream reports a server that went away.
    }
  }
}
