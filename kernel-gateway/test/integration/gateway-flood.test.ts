/**
 * One kernel's output flood must not stall the gateway: while a kernel
 * prints as fast as it can and its clients connect, disconnect and stall
 * (stop reading), a second kernel's round trip and GET /api stay fast, and
 * what is kept for the next client (the replay buffer) stays within its
 * bound, also when the flood is one endless stream of one name.
 *
 * The gateway is the real `jaxlab-gateway` command in its own process, so
 * the latencies measured here are the gateway's, not this test's.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { startGatewayProcess, until } from './gateway-process.js';
import type { IGatewayProcess } from './gateway-process.js';
import { executeRequest, openChannels } from './ws-client.js';
import type { IChannelsClient, IWsMessage } from './ws-client.js';

const PROGRAM = `import os
import time


def flood(secs=3, width=65535):
    line = "A" * width
    end = time.time() + secs
    while time.time() < end:
        print(line)


def flood_telling_nice(secs=3, width=1048576):
    # Floods for secs, and on (up to 10 s more) until it has seen itself
    # at another priority than at the start: a starved kernel prints slowly.
    line = "A" * width
    start = os.getpriority(os.PRIO_PROCESS, 0)
    end = time.time() + secs
    told = 0
    changed = False
    while time.time() < end or (not changed and time.time() < end + 10):
        print(line)
        if time.time() - told > 0.25:
            told = time.time()
            changed = changed or os.getpriority(os.PRIO_PROCESS, 0) != start
            nice()


def nice():
    print(f"nice={os.getpriority(os.PRIO_PROCESS, 0)}")


def main():
    return None
`;

/** The documented bound of a kernel's replay buffer (bytes). */
const REPLAY_MAX_BYTES = 16 * 1024 * 1024;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ]!;
}

describe('the gateway under one kernel’s output flood', () => {
  let dataDir: string;
  let gw: IGatewayProcess;
  /** A gateway that reads 4 MiB/s of each kernel's output: any flood is held back. */
  let slowGw: IGatewayProcess | undefined;
  const token = randomUUID();
  const clients: IChannelsClient[] = [];
  const raw: WebSocket[] = [];

  const api = (
    path: string,
    init: RequestInit = {},
    on: IGatewayProcess = gw
  ): Promise<Response> =>
    fetch(`${on.baseUrl}${path}`, {
      ...init,
      headers: {
        Authorization: `token ${token}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {})
      }
    });

  async function startKernel(on: IGatewayProcess = gw): Promise<string> {
    const res = await api(
      '/api/kernels',
      {
        method: 'POST',
        body: JSON.stringify({
          name: 'jaxlab',
          env: {
            KERNEL_JAXLAB_DESIGNATED_FUNCTIONS:
              'flood,flood_telling_nice,nice,main'
          },
          files: { 'main.py': PROGRAM }
        })
      },
      on
    );
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  async function open(
    kernelId: string,
    on: IGatewayProcess = gw
  ): Promise<IChannelsClient> {
    const client = await openChannels(on.port, token, kernelId);
    clients.push(client);
    return client;
  }

  async function openRaw(kernelId: string): Promise<WebSocket> {
    const ws = new WebSocket(
      `ws://127.0.0.1:${gw.port}/api/kernels/${kernelId}/channels?token=${token}`
    );
    raw.push(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return ws;
  }

  /** execute_request until its idle status, in ms (timed on the socket's own events). */
  function roundTrip(client: IChannelsClient): Promise<number> {
    const request = executeRequest('main()', client.session);
    const id = request.header.msg_id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.ws.off('message', onMessage);
        reject(new Error('no idle status within 10 s'));
      }, 10_000);
      const onMessage = (): void => {
        const idle = client.received.find(
          m =>
            m.header.msg_type === 'status' &&
            m.content.execution_state === 'idle' &&
            m.parent_header.msg_id === id
        );
        if (!idle) return;
        clearTimeout(timer);
        client.ws.off('message', onMessage);
        client.received.length = 0;
        resolve(performance.now() - started);
      };
      // Registered after the collecting listener, so `received` has the message.
      client.ws.on('message', onMessage);
      const started = performance.now();
      client.send(request);
    });
  }

  beforeAll(async () => {
    dataDir = mkdtempSync('/tmp/jl-fl-');
    chmodSync(dataDir, 0o755);
    gw = await startGatewayProcess(dataDir, token);
  });

  afterAll(async () => {
    for (const ws of [...clients.map(c => c.ws), ...raw]) ws.terminate();
    for (const started of [gw, slowGw]) {
      if (!started) continue;
      started.child.kill('SIGTERM');
      await until(() => started.child.exitCode !== null, 15_000);
      started.child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should keep a second kernel’s round trip and GET /api under 100 ms (p99) while clients connect, disconnect and stall', async () => {
    const [flooding, quiet] = await Promise.all([startKernel(), startKernel()]);
    const other = await open(quiet);
    for (let i = 0; i < 5; i++) await roundTrip(other); // warm-up

    // The flood's first client asks for it and leaves 0.3 s later.
    const starter = await open(flooding);
    starter.send(executeRequest('flood(secs=9)', starter.session));
    await new Promise(resolve => setTimeout(resolve, 300));
    await starter.close();

    let isFlooding = true;
    const stalled: WebSocket[] = [];
    const apiMs: number[] = [];
    const tripMs: number[] = [];
    const churn = async (): Promise<void> => {
      for (let i = 0; isFlooding; i++) {
        // Raw sockets that read without parsing: this process measures
        // latencies and must not be busy decoding the flood itself.
        const ws = await openRaw(flooding);
        if (i % 3 === 0 && stalled.length < 6) {
          ws.pause(); // never reads again
          stalled.push(ws);
        } else {
          await new Promise(resolve => setTimeout(resolve, 150));
          ws.terminate();
        }
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    };
    const poll = async (): Promise<void> => {
      while (isFlooding) {
        const started = performance.now();
        const res = await api('/api');
        await res.json();
        apiMs.push(performance.now() - started);
        await new Promise(resolve => setTimeout(resolve, 20));
      }
    };
    const measure = async (): Promise<void> => {
      try {
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
          tripMs.push(await roundTrip(other));
          await new Promise(resolve => setTimeout(resolve, 20));
        }
      } finally {
        isFlooding = false;
      }
    };
    await Promise.all([churn(), poll(), measure()]);

    // Then every client of the flooding kernel leaves while it still prints
    // (flood(secs=9) goes on for seconds): its output goes to the replay.
    for (const ws of stalled) ws.terminate();
    const isIdle = async (): Promise<boolean> =>
      (
        (await (await api(`/api/kernels/${flooding}`)).json()) as {
          execution_state: string;
        }
      ).execution_state === 'idle';
    for (let i = 0; i < 600 && !(await isIdle()); i++) {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const next = await open(flooding);
    const replayed = await collectUntilQuiet(next, 1000);

    expect(tripMs.length).toBeGreaterThan(20);
    expect(apiMs.length).toBeGreaterThan(20);
    const summary = `round trip p99 ${percentile(tripMs, 99).toFixed(1)} ms (n=${tripMs.length}), GET /api p99 ${percentile(apiMs, 99).toFixed(1)} ms (n=${apiMs.length})`;
    expect(percentile(tripMs, 99), summary).toBeLessThan(100);
    expect(percentile(apiMs, 99), summary).toBeLessThan(100);

    // The replay: within its bound as a whole and per message, and it
    // says what it had to leave out.
    const texts = replayed
      .filter(m => m.header.msg_type === 'stream')
      .map(m => String(m.content.text));
    const total = texts.reduce((sum, t) => sum + t.length, 0);
    expect(texts.length).toBeGreaterThan(1);
    expect(total).toBeLessThanOrEqual(REPLAY_MAX_BYTES);
    expect(Math.max(...texts.map(t => t.length))).toBeLessThanOrEqual(
      REPLAY_MAX_BYTES
    );
    expect(texts[0]).toMatch(
      /\[jaxlab-gateway\] .*dropped while no client was connected/
    );
  }, 90_000);

  it('should run a flooding kernel at the lowest CPU priority until its flood ends, and log both', async () => {
    // On a busy machine a kernel may print less than the default 16 MiB/s:
    // this gateway holds back anything over 4 MiB/s.
    slowGw = await startGatewayProcess(dataDir, token, [
      '--no-run-jobs',
      '--iopub-mib-per-s',
      '4'
    ]);
    const kernelId = await startKernel(slowGw);
    const client = await open(kernelId, slowGw);
    expect(await nicesPrinted(client, 'nice()')).toEqual([0]);

    // 64 KiB lines for 3 s: past the 4 MiB burst within a second; what
    // waits in the queues when it ends (up to 16 messages on each side) is
    // read in seconds.
    const during = await nicesPrinted(
      client,
      'flood_telling_nice(secs=3, width=65536)',
      60_000
    );
    expect(during, 'nice values during the flood').toContain(19);

    // Back to normal once the flood is over (FLOOD_QUIET_MS after the last
    // delayed read), without the kernel doing anything.
    let after: number[] = [];
    for (let i = 0; i < 50; i++) {
      await new Promise(resolve => setTimeout(resolve, 200));
      after = await nicesPrinted(client, 'nice()');
      if (after[0] === 0) break;
    }
    expect(after).toEqual([0]);
    const log = slowGw.output();
    expect(log).toContain(`kernel ${kernelId} floods its output`);
    expect(log).toContain(`kernel ${kernelId}'s output flood ended`);
  }, 60_000);
});

/**
 * Runs `code` on `client` until its idle status (at most `timeoutMs`) and
 * returns the niceness values it printed (\`nice=N\` lines), dropping all
 * other output as it comes.
 */
async function nicesPrinted(
  client: IChannelsClient,
  code: string,
  timeoutMs = 20_000
): Promise<number[]> {
  const request = executeRequest(code, client.session);
  const nices: number[] = [];
  client.received.length = 0;
  client.send(request);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50));
    const batch = client.received.splice(0);
    for (const m of batch) {
      if (m.parent_header.msg_id !== request.header.msg_id) continue;
      if (m.header.msg_type === 'stream') {
        for (const [, n] of String(m.content.text).matchAll(/nice=(-?\d+)/g)) {
          nices.push(Number(n));
        }
      }
      if (
        m.header.msg_type === 'status' &&
        m.content.execution_state === 'idle'
      ) {
        return nices;
      }
    }
  }
  throw new Error(`${code}: no idle status within ${timeoutMs} ms`);
}

/** Messages `client` receives until none came for `quietMs`. */
async function collectUntilQuiet(
  client: IChannelsClient,
  quietMs: number
): Promise<IWsMessage[]> {
  let count = -1;
  while (client.received.length !== count) {
    count = client.received.length;
    await new Promise(resolve => setTimeout(resolve, quietMs));
  }
  return [...client.received];
}
