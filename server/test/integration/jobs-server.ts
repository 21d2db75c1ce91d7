import type { JobEvent } from '@jaxlab/schemas';
import type { ILabServerDeps } from '@jaxlab/server';
import type { IStore, NewJobEvent } from '@jaxlab/store';
import { contractErrors } from '../contract/checked-fetch.js';
import { startLabServer } from '../stand-ins/lab-server.js';

/** A running server on a fresh SQLite store, for the jobs tests. */
export interface IJobsServer {
  url: string;
  store: IStore;
  /** The id of test user `name` (alice, bob: two users show owner scoping). */
  userId(name: string): Promise<string>;
  /**
   * fetch as `user` (default alice) with that user's API token; `user: ''`
   * sends no credentials.
   */
  call(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      user?: string;
      headers?: Record<string, string>;
      raw?: string;
      signal?: AbortSignal;
    }
  ): Promise<Response>;
  close(): Promise<void>;
}

/** POST /api/jobs of MAIN_PY with `body`'s fields as `user`: the response and its JSON. */
export async function submitJob(
  server: IJobsServer,
  body: Record<string, unknown> = {},
  user = 'alice'
) {
  const res = await server.call('POST', '/api/jobs', {
    body: { code: MAIN_PY, ...body },
    user
  });
  return { res, body: await res.json() };
}

/** Starts the lab server (createLabServer) on a temp-dir SQLite store. */
export async function startJobsServer(
  deps: Partial<Omit<ILabServerDeps, 'store'>> = {}
): Promise<IJobsServer> {
  const lab = await startLabServer(deps);
  return {
    url: lab.url,
    store: lab.store,
    userId: async name => (await lab.as(name)).id,
    call: async (method, path, options = {}) => {
      const user = options.user ?? 'alice';
      if (user) return (await lab.as(user)).call(method, path, options);
      return fetch(`${lab.url}${path}`, {
        method,
        headers: {
          ...(options.body !== undefined || options.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...options.headers
        },
        signal: options.signal,
        body:
          options.raw ??
          (options.body === undefined
            ? undefined
            : JSON.stringify(options.body))
      });
    },
    close: lab.close
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
    capacity: (['cpu', 'gpu', 'tpu'] as const).map(accelerator => ({
      accelerator,
      maxDevices: 256
    })),
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
 *
 * @throws Error for an event whose data breaks the JobEvent schema.
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
        const event: unknown = JSON.parse(message.data);
        const problems = contractErrors('job-event', event);
        if (problems.length > 0)
          throw new Error(`An event breaks JobEvent: ${problems.join('; ')}`);
        if (onMessage(message, event as JobEvent) === false) {
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
