import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { MongoClient } from 'mongodb';
import { MongoJobStore } from '@jaxlab/store';
import type { IJobStore } from '@jaxlab/store';
import { describeJobStoreContract } from '../contract/job-store.contract.js';
import { startMongoJavaServer } from '../mongo-java-server/mongo-java-server.js';
import type { IMongoJavaServer } from '../mongo-java-server/mongo-java-server.js';

// The same contract, over the real wire protocol, against mongo-java-server
// (started here; built with Maven on first use). It has no change streams,
// so this exercises the indexed-sequence tail.
let server: IMongoJavaServer;

beforeAll(async () => {
  server = await startMongoJavaServer();
});

afterAll(async () => {
  await server?.stop();
});

describeJobStoreContract('MongoJobStore (mongo-java-server)', async () => {
  const dbName = `jaxlab_test_${randomUUID().slice(0, 8)}`;
  const stores: IJobStore[] = [];
  const openStore = async (): Promise<IJobStore> => {
    const store = new MongoJobStore({ uri: server.uri, dbName });
    await store.init();
    stores.push(store);
    return store;
  };
  return {
    store: await openStore(),
    openPeer: openStore,
    cleanup: async () => {
      for (const store of stores) await store.dispose();
      const client = new MongoClient(server.uri);
      await client.db(dbName).dropDatabase();
      await client.close();
    }
  };
});
