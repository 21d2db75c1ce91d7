import type { JobEvent } from '@jaxlab/schemas/contract';
import { JaxLabError, isFinalJobStatus } from '@jaxlab/schemas/contract';
import { errorFromResponse, networkError } from './api-error.js';
import { parseEventData, type ApiTransport } from './api-transport.js';
import { readServerSentEvents } from './sse-parser.js';

/** Options of {@link jobEventStream}. */
export interface IJobEventStreamOptions {
  /** Resume after this sequence number (0: from the start). */
  afterSeq?: number;
  signal?: AbortSignal;
  /** Delay before reconnecting a dropped stream, ms. */
  retryDelayMs: number;
  /** Failed reconnections in a row before giving up. */
  maxRetries: number;
}

/**
 * The events of job `id`, live: `GET /api/jobs/{id}/events` read with
 * fetch streaming (EventSource cannot send an Authorization header). When
 * the connection drops before a final status arrives, it reconnects with
 * `Last-Event-ID` set to the last sequence number seen, so every event is
 * yielded once and in order. Ends after the final `job:status` event, or
 * when `signal` aborts.
 *
 * @throws JaxLabError when the server refuses (e.g. `JOB_NOT_FOUND`), when
 * an event breaks the JobEvent schema (`INVALID_RESPONSE`), or after
 * `maxRetries` failed reconnections in a row (`NETWORK_ERROR`).
 */
export async function* jobEventStream(
  transport: ApiTransport,
  id: string,
  options: IJobEventStreamOptions
): AsyncGenerator<JobEvent, void, undefined> {
  const { signal, retryDelayMs, maxRetries } = options;
  let lastSeq = options.afterSeq ?? 0;
  let failures = 0;
  while (!signal?.aborted) {
    let response: Response;
    try {
      response = await transport.send(
        `/api/jobs/${encodeURIComponent(id)}/events`,
        {
          accept: 'text/event-stream',
          headers: lastSeq > 0 ? { 'Last-Event-ID': String(lastSeq) } : {},
          signal
        }
      );
    } catch (error) {
      if (signal?.aborted) {
        return;
      }
      if (++failures > maxRetries) {
        throw networkError('The event stream is unreachable.', error);
      }
      await sleep(retryDelayMs, signal);
      continue;
    }
    if (!response.ok) {
      if (response.status >= 500 && ++failures <= maxRetries) {
        await sleep(retryDelayMs, signal);
        continue;
      }
      throw await errorFromResponse(response);
    }
    try {
      for await (const raw of readServerSentEvents(response.body!)) {
        if (!raw.event.startsWith('job:')) {
          continue;
        }
        const event = parseEventData(
          'job-event',
          raw.data,
          'The server',
          'job event'
        );
        if (event.seq <= lastSeq) {
          continue;
        }
        lastSeq = event.seq;
        failures = 0;
        yield event;
        if (event.type === 'job:status' && isFinalJobStatus(event.status)) {
          return;
        }
      }
    } catch (error) {
      if (signal?.aborted) {
        return;
      }
      if (error instanceof JaxLabError) {
        throw error;
      }
      // The connection dropped: resume below.
    }
    if (signal?.aborted) {
      return;
    }
    if (++failures > maxRetries) {
      throw networkError('The event stream keeps closing.', undefined);
    }
    await sleep(failures > 1 ? retryDelayMs : 0, signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
