import { afterEach, describe, expect, it } from 'vitest';
import type { IJobsServer } from './jobs-server.js';
import {
  logLines,
  runAsGateway,
  startJobsServer,
  submitJob
} from './jobs-server.js';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

describe('createLabServer() GET /api/jobs/{id}/logs', () => {
  it('should page log chunks by sequence and say when the log is complete', async () => {
    server = await startJobsServer();
    const { jobId } = (await submitJob(server)).body;
    await runAsGateway(server.store, jobId, logLines(1, 25));
    const texts: string[] = [];
    let after = 0;
    let done = false;
    let pages = 0;
    let ended = false;
    while (!done && pages < 10) {
      const page = await (
        await server.call(
          'GET',
          `/api/jobs/${jobId}/logs?after=${after}&limit=10`
        )
      ).json();
      texts.push(...page.items.map((c: { text: string }) => c.text));
      if (page.items.length === 0 && !ended) {
        ended = true;
        await server.store.events.append(
          jobId,
          [{ type: 'job:status', status: 'COMPLETED' }],
          { hostId: 'host-1' }
        );
      }
      after = page.nextAfter;
      done = page.done;
      pages++;
    }
    expect(texts).toEqual(
      Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`)
    );
    expect(done).toBe(true);
  });
});

describe('createLabServer() GET /api/jobs/{id}/logs (large chunks)', () => {
  it('should bound a page by bytes as well as by chunks, and lose nothing across pages', async () => {
    server = await startJobsServer();
    const { jobId } = (await submitJob(server)).body;
    // 40 chunks of 256 KiB (the gateway's largest): 10 MiB in all.
    const chunkText = (i: number): string =>
      `${String(i).padStart(4, '0')}${'x'.repeat(256 * 1024 - 5)}\n`;
    await runAsGateway(
      server.store,
      jobId,
      Array.from({ length: 40 }, (_, i) => ({
        type: 'job:log' as const,
        stream: 'stdout' as const,
        text: chunkText(i)
      }))
    );
    const pageBytes: number[] = [];
    const texts: string[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages++) {
      const res = await server.call(
        'GET',
        `/api/jobs/${jobId}/logs?after=${after}`
      );
      const page = await res.json();
      if (page.items.length === 0) break;
      pageBytes.push(
        page.items.reduce(
          (sum: number, c: { text: string }) => sum + Buffer.byteLength(c.text),
          0
        )
      );
      texts.push(...page.items.map((c: { text: string }) => c.text));
      after = page.nextAfter;
    }
    expect(Math.max(...pageBytes)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(pageBytes.length).toBeGreaterThanOrEqual(3);
    expect(texts).toHaveLength(40);
    expect(texts.every((t, i) => t === chunkText(i))).toBe(true);
  });
});

describe('createLabServer() POST /api/jobs/{id}/cancel', () => {
  it('should cancel a queued job at once, flag a running one, and refuse a finished one with 409', async () => {
    server = await startJobsServer();
    const queued = (await submitJob(server)).body.jobId;
    const res = await server.call('POST', `/api/jobs/${queued}/cancel`);
    expect(res.status).toBe(202);
    expect((await res.json()).status).toBe('CANCELLED');
    const again = await server.call('POST', `/api/jobs/${queued}/cancel`);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('JOB_FINISHED');

    const running = (await submitJob(server)).body.jobId;
    await runAsGateway(server.store, running);
    const flagged = await server.call('POST', `/api/jobs/${running}/cancel`);
    expect(flagged.status).toBe(202);
    expect(await flagged.json()).toMatchObject({
      status: 'RUNNING',
      cancelRequested: true
    });
  });
});

describe('createLabServer() owner scoping', () => {
  it("should answer 404 JOB_NOT_FOUND for another user's job on every job endpoint, and leave it alone", async () => {
    server = await startJobsServer();
    const jobId = (await submitJob(server)).body.jobId;
    await runAsGateway(server.store, jobId, logLines(1, 3));
    const endpoints: Array<[string, string]> = [
      ['GET', `/api/jobs/${jobId}`],
      ['GET', `/api/jobs/${jobId}/logs`],
      ['GET', `/api/jobs/${jobId}/events`],
      ['POST', `/api/jobs/${jobId}/cancel`],
      ['GET', `/api/jobs/${jobId}/notebook`]
    ];
    for (const [method, path] of endpoints) {
      const res = await server.call(method, path, { user: 'bob' });
      const text = await res.text();
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(text).code).toBe('JOB_NOT_FOUND');
      expect(text).not.toContain('line 1');
      expect(text).not.toContain('print(');
    }
    expect(
      (await (await server.call('GET', '/api/jobs', { user: 'bob' })).json())
        .items
    ).toEqual([]);
    expect((await server.store.jobs.get(jobId))?.cancelRequested).toBe(false);
    expect((await server.call('GET', `/api/jobs/${jobId}`)).status).toBe(200);
  });
});
