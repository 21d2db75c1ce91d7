import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { openStore } from '@jaxlab/store';
import type { IOpenStoreOptions, IStore } from '@jaxlab/store';
import {
  RESOURCE_CONTRACTS,
  describeJobEventsContract
} from '../contract/index.js';
import type { OpenStoreBackend } from '../contract/index.js';
import { collect, logLines, runningJob } from '../contract/store-backend.js';
import { startMongoJavaServer } from '../mongo-java-server/mongo-java-server.js';
import type { IMongoJavaServer } from '../mongo-java-server/mongo-java-server.js';
import { startTcpProxy } from '../mongo-java-server/tcp-proxy.js';
import type { ITcpProxy } from '../mongo-java-server/tcp-proxy.js';

// The same contracts, over the real wire protocol, against mongo-java-server
// (built with Maven on first use) with its oplog on, so that it serves change
// streams. The events contract runs once per way the store learns of other
// connections' appends: the change stream (with resume tokens) and the
// indexed-sequence tail; there the store under test talks through a TCP
// proxy so that a test can cut its connection, while peers connect directly.
let server: IMongoJavaServer;
let proxy: ITcpProxy;

beforeAll(async () => {
  server = await startMongoJavaServer();
  proxy = await startTcpProxy(server.port);
});

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

function mongoBackend(
  options: IOpenStoreOptions.IMongoDb & { throughProxy?: boolean } = {}
): OpenStoreBackend {
  const { throughProxy, ...storeOptions } = options;
  return async () => {
    const dbName = `jaxlab_test_${randomUUID().slice(0, 8)}`;
    const stores: IStore[] = [];
    const open = async (uri: string): Promise<IStore> => {
      const store = await openStore({
        mongodb: {
          ...storeOptions,
          uri,
          dbName,
          serverSelectionTimeoutMs: 1000
        }
      });
      stores.push(store);
      return store;
    };
    const store = await open(
      throughProxy ? `mongodb://127.0.0.1:${proxy.port}` : server.uri
    );
    return {
      store,
      openPeer: () => open(server.uri),
      interruptConnection: throughProxy ? ms => proxy.cut(ms) : undefined,
      storedContents: async () => {
        const client = new MongoClient(server.uri);
        try {
          return await client
            .db(dbName)
            .collection('artifacts.files')
            .countDocuments();
        } finally {
          await client.close();
        }
      },
      cleanup: async () => {
        for (const s of stores) await s.dispose();
        const client = new MongoClient(server.uri);
        await client.db(dbName).dropDatabase();
        await client.close();
      }
    };
  };
}

for (const describeContract of RESOURCE_CONTRACTS) {
  describeContract('MongoDB (mongo-java-server)', mongoBackend());
}
describeJobEventsContract(
  'MongoDB (mongo-java-server), change stream',
  mongoBackend({ liveEvents: 'change-stream', throughProxy: true }),
  { hasNetwork: true }
);
describeJobEventsContract(
  'MongoDB (mongo-java-server), sequence tail',
  mongoBackend({ liveEvents: 'tail', throughProxy: true }),
  { hasNetwork: true }
);

describe('openStore() on a MongoDB server without change streams', () => {
  let standalone: IMongoJavaServer;

  beforeAll(async () => {
    standalone = await startMongoJavaServer({ oplog: false });
  });

  afterAll(async () => {
    await standalone?.stop();
  });

  it('should refuse liveEvents change-stream with STORE_UNAVAILABLE', async () => {
    await expect(
      openStore({
        mongodb: { uri: standalone.uri, liveEvents: 'change-stream' }
      })
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('should fall back to the sequence tail by default and still see other connections’ appends', async () => {
    const dbName = `jaxlab_auto_${randomUUID().slice(0, 8)}`;
    const store = await openStore({ mongodb: { uri: standalone.uri, dbName } });
    const peer = await openStore({ mongodb: { uri: standalone.uri, dbName } });
    try {
      const job = await runningJob(store);
      const watching = collect(store.events.watch(job.id, 2));
      await peer.events.append(job.id, logLines(0, 2), { hostId: 'host-a' });
      await peer.events.append(
        job.id,
        [{ type: 'job:status', status: 'COMPLETED' }],
        { hostId: 'host-a' }
      );
      expect((await watching).map(e => e.seq)).toEqual([3, 4, 5]);
    } finally {
      await peer.dispose();
      await store.dispose();
    }
  });
});
