// The lab as the benchmarks drive it: a server (jaxlab-server) and a gateway
// that runs jobs (jaxlab-gateway) on one data folder, and an HTTP client of
// the jobs API (submit, follow the events over SSE).
import {
  sleep,
  startJobGatewayProcess,
  startLabServerProcess
} from './lib.mjs';

export const TOKEN = 'bench-token-0123456789abcdef';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

/** Starts jaxlab-server on `dataDir`; its process goes into `procs`. */
export async function startServer(dataDir, procs) {
  const server = await startLabServerProcess(dataDir, TOKEN);
  procs.push(server.proc);
  return server;
}

/**
 * Starts jaxlab-gateway running jobs on `dataDir` (more flags in `args`);
 * its process goes into `procs`.
 */
export async function startGateway(dataDir, procs, args = []) {
  const gateway = await startJobGatewayProcess(dataDir, TOKEN, args);
  procs.push(gateway.proc);
  return gateway;
}

/** One JSON call of the API; throws with the status and body unless 2xx. */
export async function api(base, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...AUTH, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!r.ok)
    throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** Polls GET /api/jobs/{id} every `pollMs` until the job's final status. */
export async function waitForFinalJob(base, jobId, pollMs) {
  for (;;) {
    const job = await api(base, 'GET', `/api/jobs/${jobId}`);
    if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await sleep(pollMs);
  }
}

export async function submit(base, body) {
  const t0 = performance.now();
  const r = await fetch(`${base}/api/jobs`, {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
  const text = await r.text();
  const ms = performance.now() - t0;
  if (r.status !== 202) throw new Error(`POST /api/jobs: ${r.status} ${text}`);
  return { ms, jobId: JSON.parse(text).jobId };
}

/**
 * Follows GET /api/jobs/{id}/events until the job's final status. `onLine`
 * gets every log line with the time its event was parsed (Date.now()).
 */
export async function follow(base, jobId, onLine) {
  const r = await fetch(`${base}/api/jobs/${jobId}/events`, { headers: AUTH });
  if (!r.ok) throw new Error(`events: ${r.status} ${await r.text()}`);
  const decoder = new TextDecoder();
  const statuses = [];
  let metrics;
  let buffer = '';
  let partial = { stdout: '', stderr: '' };
  let events = 0;
  let lastSeq = 0;
  let isFinal = false;
  for await (const chunk of r.body) {
    const now = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const dataLine = block.split('\n').find(l => l.startsWith('data: '));
      if (!dataLine) continue;
      const event = JSON.parse(dataLine.slice(6));
      events++;
      if (event.seq !== lastSeq + 1)
        throw new Error(`event ${event.seq} after ${lastSeq}`);
      lastSeq = event.seq;
      if (event.type === 'job:log') {
        const text = partial[event.stream] + event.text;
        const lines = text.split('\n');
        partial[event.stream] = lines.pop();
        for (const line of lines) onLine?.(line, now, Date.parse(event.time));
      } else if (event.type === 'job:status') {
        statuses.push({
          status: event.status,
          time: Date.parse(event.time),
          receivedAt: now,
          failure: event.failure
        });
        if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(event.status))
          isFinal = true;
      } else if (event.type === 'job:metrics') {
        metrics = event.metrics;
      }
    }
    if (isFinal) break;
  }
  return { statuses, metrics, events };
}

export const at = (statuses, s) => statuses.find(x => x.status === s);
