import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

describe('openStore()', () => {
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('should create the SQLite file under the data folder on first start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jaxlab-factory-'));
    const dataDir = join(dir, 'data');
    const store = await openStore({ dataDir, mongodb: { uri: '' } });
    cleanups.push(async () => {
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    expect(store.kind).toBe('sqlite');
    expect(existsSync(join(dataDir, 'jaxlab.db'))).toBe(true);
    const job = await store.jobs.create('me', {
      projectId: null,
      code: '',
      requirements: '',
      entrypoint: 'main',
      args: {},
      accelerator: 'cpu'
    });
    // A second start reuses the file and its data (migrations are idempotent).
    const again: IStore = await openStore({
      sqlite: { path: join(dataDir, 'jaxlab.db') }
    });
    cleanups.push(() => again.dispose());
    expect((await again.jobs.get(job.id, 'me'))?.status).toBe('QUEUED');
  });

  it('should choose MongoDB when a URI is given, and say so when it cannot reach it', async () => {
    const opening = openStore({
      dataDir: '/nonexistent',
      mongodb: {
        uri: 'mongodb://127.0.0.1:1/jaxlab',
        serverSelectionTimeoutMs: 200
      }
    });
    await expect(opening).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('should answer STORE_UNAVAILABLE once disposed, and dispose idempotently', async () => {
    const store = await openStore({ sqlite: { path: ':memory:' } });
    await store.dispose();
    await store.dispose();
    await expect(store.projects.list('me')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE'
    });
  });
});
