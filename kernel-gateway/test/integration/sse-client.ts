import { expect } from 'vitest';

import type { JobEvent } from '@jaxlab/schemas';

/**
 * Reads a job's Server-Sent Events from `url` as a browser's EventSource
 * would see them, each `id:` checked against its event's seq, until `stop`
 * says so (or the stream ends); `lastEventId` resumes after that sequence
 * number.
 */
export async function readSseEvents(
  url: string,
  headers: Record<string, string>,
  stop: (event: JobEvent) => boolean = () => false,
  lastEventId?: number
): Promise<JobEvent[]> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: {
      ...headers,
      accept: 'text/event-stream',
      ...(lastEventId !== undefined
        ? { 'last-event-id': String(lastEventId) }
        : {})
    },
    signal: controller.signal
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: JobEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return events;
      }
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter(line => line.startsWith('data:'))
          .map(line => line.slice(5).trimStart())
          .join('\n');
        const id = /^id: ?(\d+)$/m.exec(block)?.[1];
        if (!data) {
          continue;
        }
        const event = JSON.parse(data) as JobEvent;
        expect(Number(id)).toBe(event.seq);
        events.push(event);
        if (stop(event)) {
          return events;
        }
      }
    }
  } finally {
    // Disconnect, as a client closing its tab would.
    controller.abort();
    await reader.cancel().catch(() => undefined);
  }
}
