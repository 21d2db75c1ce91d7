import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '@jaxlab/schemas';
import type { IJobsServer } from './jobs-server.js';
import {
  MAIN_PY,
  logLines,
  readSse,
  runAsGateway,
  startJobsServer
} from './jobs-server.js';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

async function submit(): Promise<string> {
  const res = await server.call('POST', '/api/jobs', {
    body: { code: MAIN_PY }
  });
  return (await res.json()).jobId;
}

function openEvents(
  jobId: string,
  controller: AbortController,
  headers: Record<string, string> = {},
  query = ''
) {
  return server.call('GET', `/api/jobs/${jobId}/events${query}`, {
    headers,
    signal: controller.signal
  });
}

function expectInOrder(events: JobEvent[], from = 1): void {
  events.forEach((event, i) => expect(event.seq).toBe(from + i));
}

describe('createLabServer() GET /api/jobs/{id}/events', () => {
  it('should stream stored then live events in order with id and event fields, and close after the final status', async () => {
    server = await startJobsServer();
    const jobId = await submit();
    await runAsGateway(server.store, jobId, logLines(1, 3));
    const controller = new AbortController();
    const res = await openEvents(jobId, controller);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: JobEvent[] = [];
    const reading = readSse(res, controller, (message, event) => {
      expect(message.id).toBe(String(event.seq));
      expect(message.event).toBe(event.type);
      events.push(event);
    });
    await new Promise(resolve => setTimeout(resolve, 50));
    await server.store.events.append(
      jobId,
      [...logLines(4, 2), { type: 'job:status', status: 'COMPLETED' }],
      { hostId: 'host-1' }
    );
    await reading; // ends by itself: the server closed the stream
    expectInOrder(events);
    expect(events.map(e => e.type)).toEqual([
      'job:status',
      'job:status',
      'job:log',
      'job:log',
      'job:log',
      'job:log',
      'job:log',
      'job:status'
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'job:status',
      status: 'COMPLETED'
    });
  });

  it('should resume after Last-Event-ID (over ?after=) without repeating or losing an event', async () => {
    server = await startJobsServer();
    const jobId = await submit();
    await runAsGateway(server.store, jobId, [
      ...logLines(1, 10),
      {
        type: 'job:status',
        status: 'FAILED',
        failure: { reason: 'USER_ERROR', message: 'boom', hint: 'fix it' }
      }
    ]);
    const first: JobEvent[] = [];
    const c1 = new AbortController();
    await readSse(await openEvents(jobId, c1), c1, (_m, event) => {
      first.push(event);
      return first.length < 5;
    });
    const rest: JobEvent[] = [];
    const c2 = new AbortController();
    await readSse(
      await openEvents(
        jobId,
        c2,
        { 'Last-Event-ID': String(first.at(-1)!.seq) },
        '?after=0'
      ),
      c2,
      (_m, event) => {
        rest.push(event);
      }
    );
    expectInOrder([...first, ...rest]);
    expect(rest.at(-1)).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'USER_ERROR' }
    });
    const byQuery: JobEvent[] = [];
    const c3 = new AbortController();
    await readSse(
      await openEvents(jobId, c3, {}, '?after=12'),
      c3,
      (_m, event) => void byQuery.push(event)
    );
    expect(byQuery.map(e => e.seq)).toEqual([13]);
  });

  it('should answer 400 for a malformed Last-Event-ID and end at once when already past the end', async () => {
    server = await startJobsServer();
    const jobId = await submit();
    const bad = await openEvents(jobId, new AbortController(), {
      'Last-Event-ID': 'abc'
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('INVALID_REQUEST');
    await server.call('POST', `/api/jobs/${jobId}/cancel`);
    const c = new AbortController();
    const seen: JobEvent[] = [];
    await readSse(
      await openEvents(jobId, c, { 'Last-Event-ID': '1' }),
      c,
      (_m, e) => void seen.push(e)
    );
    expect(seen).toEqual([]);
  });

  it('should send heartbeat comments while a job is quiet', async () => {
    server = await startJobsServer({ config: { sseHeartbeatMs: 30 } });
    const jobId = await submit();
    const c = new AbortController();
    const res = await openEvents(jobId, c);
    const alice = await server.userId('alice');
    setTimeout(() => void server.store.jobs.requestCancel(jobId, alice), 200);
    const comments = await readSse(res, c, () => {});
    expect(
      comments.filter(line => line.includes('heartbeat')).length
    ).toBeGreaterThanOrEqual(2);
  });

  it('should deliver 100,000 log lines exactly once and in order to a client that disconnects midway and resumes', async () => {
    server = await startJobsServer();
    const jobId = await submit();
    await runAsGateway(server.store, jobId);
    const total = 100_000;
    const batch = 1000;
    const producing = (async () => {
      for (let from = 1; from <= total; from += batch) {
        await server.store.events.append(jobId, logLines(from, batch), {
          hostId: 'host-1'
        });
        if (from % 10_000 === 1)
          await new Promise(resolve => setImmediate(resolve));
      }
      await server.store.events.append(
        jobId,
        [{ type: 'job:status', status: 'COMPLETED' }],
        { hostId: 'host-1' }
      );
    })();
    const lines: number[] = [];
    let lastSeq = 0;
    let connections = 0;
    for (let done = false; !done && connections < 5;) {
      connections++;
      const c = new AbortController();
      const headers: Record<string, string> =
        lastSeq > 0 ? { 'Last-Event-ID': String(lastSeq) } : {};
      await readSse(await openEvents(jobId, c, headers), c, (_m, event) => {
        expect(event.seq).toBe(lastSeq + 1);
        lastSeq = event.seq;
        if (event.type === 'job:log') lines.push(Number(event.text.slice(5)));
        if (event.type === 'job:status' && event.status === 'COMPLETED')
          done = true;
        // Drop the first connection halfway through.
        return !(connections === 1 && lines.length === total / 2);
      });
    }
    await producing;
    expect(connections).toBe(2);
    expect(lines.length).toBe(total);
    expect(lines.every((n, i) => n === i + 1)).toBe(true);
  }, 60_000);
});
