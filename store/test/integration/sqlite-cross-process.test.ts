import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '@jaxlab/schemas';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import { TRIVIAL_JOB } from '../fixtures/trivial-job.mjs';

const childDir = fileURLToPath(new URL('../cross-process/', import.meta.url));

describe('IJobEvents.watch() on SQLite across processes', () => {
  let dir: string;
  let path: string;
  let store: IStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jaxlab-xproc-'));
    path = join(dir, 'jaxlab.db');
    store = await openStore({ sqlite: { path } });
  });

  afterEach(async () => {
    await store.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should deliver every event another process appends, once and in order', async () => {
    const job = await store.jobs.create('owner', TRIVIAL_JOB);
    await store.queue.claimNext({
      hostId: 'child-host',
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs: 60_000
    });

    const events: JobEvent[] = [];
    const watching = (async () => {
      for await (const event of store.events.watch(job.id, 0))
        events.push(event);
    })();

    const batches = 40;
    const perBatch = 50;
    const child = spawn(
      process.execPath,
      [
        '--import',
        join(childDir, 'register-ts.mjs'),
        join(childDir, 'append-events-child.ts'),
        path,
        job.id,
        'child-host',
        String(batches),
        String(perBatch)
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] }
    );
    const exitCode = await new Promise<number | null>(resolve =>
      child.once('exit', resolve)
    );
    expect(exitCode).toBe(0);
    await watching;

    const lines = batches * perBatch;
    expect(events.map(e => e.seq)).toEqual(
      Array.from({ length: lines + 3 }, (_, i) => i + 1)
    );
    expect(events[1]).toMatchObject({ type: 'job:status', status: 'RUNNING' });
    expect(events.at(-1)).toMatchObject({
      type: 'job:status',
      status: 'COMPLETED'
    });
    const text = events
      .filter(e => e.type === 'job:log')
      .map(e => (e as { text: string }).text)
      .join('');
    const expected = Array.from(
      { length: lines },
      (_, i) => `child line ${i}\n`
    ).join('');
    expect(text).toBe(expected);
  });
});
