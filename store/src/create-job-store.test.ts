import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createJobStore } from '@jaxlab/store';
import type { IJobStore } from '@jaxlab/store';

describe('createJobStore()', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('should create the SQLite file under the data folder on first start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jaxlab-factory-'));
    const dataDir = join(dir, 'data');
    const store = createJobStore({ dataDir, mongodbUri: '' });
    cleanups.push(async () => {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    expect(store.kind).toBe('sqlite');
    await store.init();
    expect(existsSync(join(dataDir, 'jaxlab.db'))).toBe(true);
    const job = await store.createJob('me', {
      projectId: null,
      code: '',
      requirements: '',
      entrypoint: 'main',
      args: {},
      accelerator: 'cpu'
    });
    // A second start reuses the file and its data (migrations are idempotent).
    const again: IJobStore = createJobStore({ dataDir, mongodbUri: '' });
    await again.init();
    cleanups.push(() => again.dispose());
    expect((await again.getJob(job.id, 'me'))?.status).toBe('QUEUED');
  });

  it('should choose MongoDB when a URI is given', async () => {
    const store = createJobStore({
      dataDir: '/nonexistent',
      mongodbUri: 'mongodb://127.0.0.1:1/jaxlab'
    });
    cleanups.push(() => store.dispose());
    expect(store.kind).toBe('mongodb');
  });
});
