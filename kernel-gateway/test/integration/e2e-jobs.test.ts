import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Job, JobEvent } from '@jaxlab/schemas';
import { createLabServer } from '@jaxlab/server';
import type { ILabServer } from '@jaxlab/server';
import type { IStore } from '@jaxlab/store';

import { createTestJobHost } from './job-host.js';
import { readSseEvents } from './sse-client.js';
import type { ITestJobHost } from './job-host.js';
import { JAX_PROGRAM, MANY_LINES_PROGRAM } from './jobs-programs.js';
import type { JobRunner } from '@jaxlab/kernel-gateway';

/** The local user's login token, sent as a bearer token. */
const AUTH = { authorization: 'Bearer e2e-token' };

const readSse = (
  url: string,
  stop: (event: JobEvent) => boolean,
  lastEventId?: number
): Promise<JobEvent[]> => readSseEvents(url, AUTH, stop, lastEventId);

const isFinal = (event: JobEvent): boolean =>
  event.type === 'job:status' &&
  ['COMPLETED', 'FAILED', 'CANCELLED'].includes(event.status);

describe('POST /api/jobs to a gateway job runner (end to end)', () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;
  let lab: ILabServer;
  let base: string;

  beforeAll(async () => {
    host = await createTestJobHost('jl-e2e-');
    store = host.store;
    runner = host.createRunner({
      hostId: 'e2e-host',
      maxConcurrentJobs: 1
    });
    await runner.start();
    lab = createLabServer({
      store,
      auth: { localToken: 'e2e-token', onSignIn: async () => {} },
      config: { sseHeartbeatMs: 1000 }
    });
    base = `http://127.0.0.1:${(await lab.listen(0)).port}`;
  });

  afterAll(async () => {
    await lab?.close();
    await runner?.dispose();
    await host?.dispose();
  });

  async function postJob(body: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json' },
      body: JSON.stringify(body)
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { jobId: string }).jobId;
  }

  it('should run a JAX program to COMPLETED, streaming its events live', async () => {
    const jobId = await postJob({
      code: JAX_PROGRAM,
      args: { steps: 120 },
      accelerator: 'cpu'
    });
    const events = await readSse(`${base}/api/jobs/${jobId}/events`, isFinal);

    expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1));
    const statuses = events.flatMap(e =>
      e.type === 'job:status' ? [e.status] : []
    );
    expect(statuses.filter(s => s !== 'QUEUED')).toEqual([
      'COMPILING',
      'RUNNING',
      'COMPLETED'
    ]);
    const log = events
      .flatMap(e => (e.type === 'job:log' ? [e.text] : []))
      .join('');
    expect(log).toMatch(/Final accuracy: 0\.9\d+/);
    expect(events.some(e => e.type === 'job:metrics')).toBe(true);

    const response = await fetch(`${base}/api/jobs/${jobId}`, {
      headers: AUTH
    });
    const job = (await response.json()) as Job;
    expect(job.status).toBe('COMPLETED');
    expect(job.finishedAt).toBeTruthy();
    expect(job.metrics!.compilationTimeMs).toBeGreaterThan(0);
    expect(job.metrics!.executionTimeMs).toBeGreaterThan(0);
    expect(job.metrics!.values.accuracy).toBeGreaterThan(0.9);
    expect(job.manifest!.host).toBe('e2e-host');
  });

  it('should deliver 100,000 lines over SSE to a client that disconnects and resumes', async () => {
    const jobId = await postJob({ code: MANY_LINES_PROGRAM });
    let lines = 0;
    const first = await readSse(`${base}/api/jobs/${jobId}/events`, event => {
      if (event.type === 'job:log') {
        lines += event.text.split('\n').length - 1;
      }
      return lines >= 40_000 || isFinal(event);
    });
    const lastSeq = first[first.length - 1].seq;
    const rest = await readSse(
      `${base}/api/jobs/${jobId}/events`,
      isFinal,
      lastSeq
    );
    expect(first.some(isFinal)).toBe(false);
    expect(rest.length).toBeGreaterThan(0);
    const events = [...first, ...rest];
    expect(events.map(e => e.seq)).toEqual(events.map((_, i) => i + 1));
    const text = events
      .flatMap(e =>
        e.type === 'job:log' && e.stream === 'stdout' ? [e.text] : []
      )
      .join('');
    const expected = Array.from(
      { length: 100_000 },
      (_, i) => `line ${String(i).padStart(6, '0')}\n`
    ).join('');
    expect(text.length).toBe(expected.length);
    expect(text === expected).toBe(true);
    const final = events[events.length - 1];
    expect(final).toMatchObject({ type: 'job:status', status: 'COMPLETED' });
  });

  it('should store and serve a hostile exception sanitised: the job, its SSE events and its notebook', async () => {
    const jobId = await postJob({ code: HOSTILE_EXCEPTION_PROGRAM });
    const events = await readSse(`${base}/api/jobs/${jobId}/events`, isFinal);
    const final = events[events.length - 1]!;
    const job = (await (
      await fetch(`${base}/api/jobs/${jobId}`, { headers: AUTH })
    ).json()) as Job;
    const notebook: unknown = await (
      await fetch(`${base}/api/jobs/${jobId}/notebook`, { headers: AUTH })
    ).json();
    expect(job.status).toBe('FAILED');
    expect(job.failure!.reason).toBe('USER_ERROR');
    // Still readable: the escapes show as visible symbols.
    expect(job.failure!.message).toContain('E\u241b]0;T\u2407');
    expect(job.failure!.message).toContain(
      '\u241b]52;c;ZXZh\u2407\u2400\u241b31m'
    );
    for (const [where, value] of [
      ['GET /api/jobs/{id}', job],
      ['SSE', events],
      ['the final SSE event', final],
      ['notebook', notebook]
    ] as const) {
      expect(unsafeStrings(value), where).toEqual([]);
    }
  });
});

/** A program whose exception's class name and message carry terminal escapes, BEL, NUL and an 8-bit CSI. */
const HOSTILE_EXCEPTION_PROGRAM = `def main():
    raise type("E\\x1b]0;T\\x07", (Exception,), {})("\\x1b]52;c;ZXZh\\x07\\x00\\x9b31m")
`;

/** Every string in `value` holding a control character other than TAB, LF, CR or an SGR sequence. */
function unsafeStrings(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const stripped = v.replace(/\x1b\[[0-9;]*m/g, '');
      if (
        /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(
          stripped
        )
      )
        found.push(v.slice(0, 200));
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v && typeof v === 'object') {
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return found;
}
