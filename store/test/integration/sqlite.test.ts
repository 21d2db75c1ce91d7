import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '@jaxlab/store';
import type { IJobStore } from '@jaxlab/store';
import { describeJobStoreContract } from '../contract/job-store.contract.js';

describeJobStoreContract('SqliteJobStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jaxlab-store-'));
  const path = join(dir, 'jaxlab.db');
  const stores: IJobStore[] = [];
  const openStore = async (): Promise<IJobStore> => {
    const store = new SqliteJobStore({ path });
    await store.init();
    stores.push(store);
    return store;
  };
  return {
    store: await openStore(),
    openPeer: openStore,
    cleanup: async () => {
      for (const store of stores) await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };
});
