// Shared pieces of the benchmarks: process start/stop, a minimal Jupyter
// WebSocket client (legacy JSON protocol, which both gateways speak) and
// statistics. Benchmarks print figures; they assert nothing.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { freePort } from '../scripts/lab-processes.mjs';

export const ROOT = new URL('..', import.meta.url).pathname;
export const PY = `${ROOT}.venv/bin/python`;

export { freePort };
export { TRIVIAL_JOB } from '../store/test/fixtures/trivial-job.mjs';

export function startProcess(cmd, args, options = {}) {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...options
  });
  let log = '';
  child.stdout.on('data', d => (log += d));
  child.stderr.on('data', d => (log += d));
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      await Promise.race([
        new Promise(r => child.once('exit', r)),
        new Promise(r => setTimeout(r, 5000))
      ]);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
  };
}

/**
 * Starts `jaxlab-server` on a free port over `dataDir` with the API token
 * `token`; resolves once it answers. Returns its base URL and process.
 */
export async function startLabServerProcess(dataDir, token) {
  const port = await freePort();
  const proc = startProcess(
    'node',
    [
      `${ROOT}server/lib/bin/jaxlab-server.js`,
      '--port',
      String(port),
      '--data-dir',
      dataDir
    ],
    { env: { ...process.env, JAXLAB_TOKEN: token, GEMINI_API_KEY: '' } }
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(
      `${base}/api/jobs?limit=1`,
      { Authorization: `Bearer ${token}` },
      30000
    );
  } catch (e) {
    await proc.stop();
    throw new Error(`${e.message}\n${proc.log()}`);
  }
  return { base, proc };
}

/**
 * Starts `jaxlab-gateway` on a free port over `dataDir` with the operator
 * token `token` and more flags in `args`; does not wait for it to answer.
 * Returns its base URL, port and process.
 */
export async function startGatewayProcess(dataDir, token, args = []) {
  const port = await freePort();
  const proc = startProcess('node', [
    `${ROOT}kernel-gateway/lib/bin/jaxlab-gateway.js`,
    '--port',
    String(port),
    '--token',
    token,
    '--data-dir',
    dataDir,
    ...args
  ]);
  return { base: `http://127.0.0.1:${port}`, port, proc };
}

/**
 * Starts a `jaxlab-gateway` that runs one job at a time from the store in
 * `dataDir` (more flags in `args`); resolves once it runs jobs.
 */
export async function startJobGatewayProcess(dataDir, token, args = []) {
  const { base, proc } = await startGatewayProcess(dataDir, token, [
    '--run-jobs',
    '--max-jobs',
    '1',
    ...args
  ]);
  await waitForHttp(`${base}/api`, { Authorization: `Bearer ${token}` }, 30000);
  for (let i = 0; i < 300 && !/running jobs from/.test(proc.log()); i++) {
    await new Promise(r => setTimeout(r, 100));
  }
  return { proc };
}

export async function waitForHttp(url, headers = {}, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { headers });
      if (r.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(
    s.length - 1,
    Math.max(0, Math.ceil((p / 100) * s.length) - 1)
  );
  return s[i];
}

export const median = values => percentile(values, 50);

/** The 1, 5 and 15 minute load averages, as printed beside each figure. */
export const loadAverage = () =>
  loadavg()
    .map(n => n.toFixed(2))
    .join(' ');

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Wall-clock time in ms with sub-ms precision (same clock as the kernel's header dates). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** A Jupyter header date (ISO 8601, up to microseconds, Z or offset) in ms since the epoch. */
export function headerDateMs(date) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(date);
  if (!m) return NaN;
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return Date.parse(`${m[1]}${m[3] ?? 'Z'}`) + frac;
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** A kernel over the legacy JSON WebSocket protocol of /api/kernels/{id}/channels. */
export class KernelClient {
  constructor(wsUrl) {
    this.session = randomUUID();
    this.ws = new WebSocket(`${wsUrl}&session_id=${this.session}`);
    this.handlers = new Set();
    this.ws.on('message', data => {
      const msg = JSON.parse(data.toString());
      msg.receivedAt = nowMs();
      for (const h of this.handlers) h(msg);
    });
  }
  open() {
    return new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }
  send(msgType, content, channel = 'shell') {
    const msgId = randomUUID();
    this.sentAt = nowMs();
    this.ws.send(
      JSON.stringify({
        channel,
        header: {
          msg_id: msgId,
          msg_type: msgType,
          username: 'bench',
          session: this.session,
          date: new Date().toISOString(),
          version: '5.3'
        },
        parent_header: {},
        metadata: {},
        content,
        buffers: []
      })
    );
    return msgId;
  }
  /**
   * Sends a request and resolves when its reply and its idle status have
   * arrived. The reply carries `timing`: when it was sent, and the busy and
   * idle status messages (their header dates and receive times).
   */
  request(msgType, content, onIOPub) {
    return new Promise(resolve => {
      let reply;
      let idle;
      let busy;
      const msgId = this.send(msgType, content);
      const sentAt = this.sentAt;
      const h = msg => {
        if (msg.parent_header?.msg_id !== msgId) return;
        if (msg.channel === 'shell') reply = msg;
        else if (msg.channel === 'iopub') {
          if (
            msg.msg_type === 'status' &&
            msg.content.execution_state === 'idle'
          )
            idle = msg;
          else if (
            msg.msg_type === 'status' &&
            msg.content.execution_state === 'busy'
          )
            busy = msg;
          else onIOPub?.(msg);
        }
        if (reply && idle) {
          this.handlers.delete(h);
          reply.timing = { sentAt, busy, idle };
          resolve(reply);
        }
      };
      this.handlers.add(h);
    });
  }
  /** Executes `code` (see `request`); `onIOPub` gets its output. */
  execute(code, onIOPub) {
    return this.request(
      'execute_request',
      {
        code,
        silent: false,
        store_history: false,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true
      },
      onIOPub
    );
  }
  close() {
    this.ws.close();
  }
}
