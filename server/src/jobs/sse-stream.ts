import { once } from 'node:events';
import type { Response } from 'express';
import type { JobEvent } from '@jaxlab/schemas';
import { HttpError } from '@jaxlab/http';

/** Default interval of SSE heartbeat comments: 15 s. */
export const SSE_HEARTBEAT_MS = 15_000;

/** Options of {@link streamJobEvents}. */
export interface ISseStreamOptions {
  /** Interval of `: heartbeat` comments that keep proxies from closing the stream. */
  heartbeatMs?: number;
  /** Aborted when the client goes away; the stream then stops quietly. */
  signal: AbortSignal;
}

/**
 * Writes `events` to `res` as Server-Sent Events (`id: <seq>`,
 * `event: <type>`, `data: <json>`), one write per event, waiting for
 * 'drain' whenever the socket's buffer is full so a slow client slows the
 * producer instead of filling memory. Ends the response when the events end
 * (after a job's final status event); an error after the headers went out
 * is sent as an `event: error` carrying the error envelope.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export async function streamJobEvents(
  res: Response,
  events: AsyncIterable<JobEvent>,
  options: ISseStreamOptions
): Promise<void> {
  const { signal } = options;
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  let waiting = false;
  const heartbeat = setInterval(() => {
    // Skip while the buffer is full: the client is not idle, only slow.
    if (!waiting && !res.writableEnded) res.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? SSE_HEARTBEAT_MS);
  const write = async (text: string): Promise<void> => {
    if (res.write(text)) return;
    waiting = true;
    try {
      await once(res, 'drain', { signal });
    } finally {
      waiting = false;
    }
  };
  try {
    await write('retry: 1000\n\n');
    for await (const event of events) {
      if (signal.aborted) break;
      await write(formatSseEvent(event));
    }
  } catch (error) {
    if (!signal.aborted) {
      const e = HttpError.from(error);
      const envelope = {
        reason: e.reason,
        message: e.message,
        code: e.code,
        hint: e.hint
      };
      res.write(`event: error\ndata: ${JSON.stringify(envelope)}\n\n`);
    }
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

/** One job event as an SSE message (the data is one line of JSON). */
export function formatSseEvent(event: JobEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
