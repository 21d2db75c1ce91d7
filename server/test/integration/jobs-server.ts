import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import type { JobEvent } from '@jaxlab/schemas';
import { HttpError } from '@jaxlab/http';
import { createApp } from '@jaxlab/server';
import type { IAppDeps } from '@jaxlab/server';
import { openStore } from '@jaxlab/store';
import type { IStore, NewJobEvent } from '@jaxlab/store';

/** A running server on a fresh SQLite store, for the jobs tests. */
export interface IJobsServer {
  url: string;
  store: IStore;
  /** fetch as `user` (default alice). */
  call(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      user?: string;
      headers?: Record<string, string>;
      raw?: string;
    }
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Test authentication: the user named by the `x-test-user` header (two
 * local users, alice and bob, show owner scoping); none → 401.
 */
export const testUserAuth: RequestHandler = (req, _res, next) => {
  const name = req.get('x-test-user');
  if (!name) {
    next(new HttpError('UNAUTHORIZED', 'Sign-in required'));
    return;
  }
  req.user = { id: `user-${name}`, email: `${name}@example.test`, name };
  next();
};

/** Starts createApp on a temp-dir SQLite store, listening on a free port. */
export async function startJobsServer(
  deps: Partial<IAppDeps> = {}
): Promise<IJobsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'jlsrv-'));
  const store = await openStore({ sqlite: { path: join(dir, 'jaxlab.db') } });
  const app = createApp({
    store,
    auth: { middleware: testUserAuth },
    log: () => {},
    ...deps
  });
  const server: Server = await new Promise(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    call: (method, path, options = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          'x-test-user': options.user ?? 'alice',
          ...(options.body !== undefined || options.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...options.headers
        },
        body:
          options.raw ??
          (options.body === undefined
            ? undefined
            : JSON.stringify(options.body))
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Plays a gateway: claims the job (COMPILING), then RUNNING and `events`. */
export async function runAsGateway(
  store: IStore,
  jobId: string,
  events: NewJobEvent[] = []
): Promise<void> {
  const claimed = await store.queue.claimNext({
    hostId: 'host-1',
    accelerators: ['cpu', 'gpu', 'tpu'],
    leaseMs: 60_000
  });
  if (claimed?.id !== jobId)
    throw new Error(`claimed ${claimed?.id} instead of ${jobId}`);
  await store.events.append(
    jobId,
    [{ type: 'job:status', status: 'RUNNING' }, ...events],
    { hostId: 'host-1' }
  );
}

/** `n` log events, `prefix` + line number, one line each. */
export function logLines(
  from: number,
  n: number,
  stream: 'stdout' | 'stderr' = 'stdout'
): NewJobEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'job:log',
    stream,
    text: `line ${from + i}\n`
  }));
}

/** One parsed Server-Sent Event. */
export interface ISseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads an SSE response, calling `onMessage` per event; stops when the
 * stream ends or `onMessage` returns false (then aborts the request).
 * Returns the comments seen (heartbeats).
 */
export async function readSse(
  res: Response,
  controller: AbortController,
  onMessage: (message: ISseMessage, event: JobEvent) => boolean | void
): Promise<string[]> {
  const comments: string[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return comments;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message: ISseMessage = { data: '' };
        let hasData = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('id: ')) message.id = line.slice(4);
          else if (line.startsWith('event: ')) message.event = line.slice(7);
          else if (line.startsWith('data: ')) {
            message.data += line.slice(6);
            hasData = true;
          }
        }
        if (!hasData) continue;
        if (
          onMessage(message, JSON.parse(message.data) as JobEvent) === false
        ) {
          controller.abort();
          return comments;
        }
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return comments;
    throw error;
  }
}

/** A minimal valid main.py. */
export const MAIN_PY = 'def main():\n    print("hi")\n';
