import { afterEach, beforeEach, expect } from 'vitest';
import type { Job, JobEvent } from '@jaxlab/schemas';
import type { IJobs, IStore, NewJobEvent } from '@jaxlab/store';

/** One backend under test: a fresh, opened store per test. */
export interface IStoreBackend {
  store: IStore;
  /** Another store on the same database (another connection/process view). */
  openPeer(): Promise<IStore>;
  /**
   * A network outage between `store` and its database for `ms` (peers keep
   * their connection); resolves when it is over. Only backends reached
   * over a network have one.
   */
  interruptConnection?(ms: number): Promise<void>;
  /** How many distinct artifact contents the backend holds (files, GridFS files). */
  storedContents?(): Promise<number>;
  /** Disposes the stores and removes what the backend created. */
  cleanup(): Promise<void>;
}

/** Opens a fresh backend (called before each test). */
export type OpenStoreBackend = () => Promise<IStoreBackend>;

/**
 * Opens a fresh backend before each test of the enclosing `describe` and
 * cleans it up after; read `current.store` and `current.backend` inside tests.
 */
export function useStoreBackend(open: OpenStoreBackend): {
  readonly backend: IStoreBackend;
  readonly store: IStore;
} {
  let backend: IStoreBackend | undefined;
  beforeEach(async () => {
    backend = await open();
  });
  afterEach(async () => {
    await backend?.cleanup();
    backend = undefined;
  });
  return {
    get backend() {
      return backend!;
    },
    get store() {
      return backend!.store;
    }
  };
}

export const ALICE = 'user-alice';
export const BOB = 'user-bob';

export function jobInput(
  overrides: Partial<IJobs.ICreate> = {}
): IJobs.ICreate {
  return {
    projectId: null,
    code: 'def main():\n    print("hi")\n',
    requirements: 'numpy>=1.26\n',
    entrypoint: 'main',
    args: { steps: 3, name: 'run' },
    accelerator: 'cpu',
    ...overrides
  };
}

export function logLines(from: number, count: number): NewJobEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'job:log' as const,
    stream: 'stdout' as const,
    text: `line ${from + i}\n`
  }));
}

/** The `code` of the error `promise` rejects with (undefined if it resolves). */
export async function codeOf(
  promise: Promise<unknown>
): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

export async function collect(
  iterable: AsyncIterable<JobEvent>,
  onEvent?: (event: JobEvent) => void
): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const event of iterable) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

/** A job of ALICE's claimed by `hostId` and RUNNING. */
export async function runningJob(
  store: IStore,
  hostId = 'host-a'
): Promise<Job> {
  const created = await store.jobs.create(ALICE, jobInput());
  const claimed = await store.queue.claimNext({
    hostId,
    capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
    leaseMs: 60_000
  });
  expect(claimed?.id).toBe(created.id);
  await store.events.append(
    created.id,
    [{ type: 'job:status', status: 'RUNNING' }],
    { hostId }
  );
  return (await store.jobs.get(created.id))!;
}

/** Resolves once `check()` holds, polling every 10 ms; throws after `timeoutMs`. */
export async function until(
  check: () => boolean,
  timeoutMs = 10_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting.');
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}
