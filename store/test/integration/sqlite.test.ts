import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import {
  RESOURCE_CONTRACTS,
  describeJobEventsContract
} from '../contract/index.js';
import type { OpenStoreBackend } from '../contract/index.js';

// Every part's contract on one SQLite file per test; peers are further
// connections to the same file (as the server and gateway processes are).
const openSqlite: OpenStoreBackend = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jaxlab-store-'));
  const path = join(dir, 'jaxlab.db');
  const stores: IStore[] = [];
  const open = async (): Promise<IStore> => {
    const store = await openStore({ sqlite: { path } });
    stores.push(store);
    return store;
  };
  return {
    store: await open(),
    openPeer: open,
    // Content files sit in two-hex-digit folders beside tmp/ and trash/.
    storedContents: async () =>
      readdirSync(join(dir, 'artifacts'))
        .filter(d => /^[0-9a-f]{2}$/.test(d))
        .reduce((n, d) => n + readdirSync(join(dir, 'artifacts', d)).length, 0),
    cleanup: async () => {
      for (const store of stores) await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  };
};

for (const describeContract of RESOURCE_CONTRACTS) {
  describeContract('SQLite', openSqlite);
}
describeJobEventsContract('SQLite', openSqlite);
