import { MongoAccounts } from '../accounts/mongodb.js';
import { MongoJobArtifacts } from '../artifacts/mongodb.js';
import { MongoChats } from '../chats/mongodb.js';
import { MongoJobEvents } from '../events/mongodb.js';
import { MongoBaselines } from '../baselines/mongodb.js';
import { MongoHosts } from '../hosts/mongodb.js';
import { MongoSweeps } from '../sweeps/mongodb.js';
import { MongoJobs } from '../jobs/mongodb.js';
import { MongoProjects } from '../projects/mongodb.js';
import { MongoOidcRecords } from '../oidc/mongodb.js';
import { MongoJobQueue } from '../queue/mongodb.js';
import { MongoSeries } from '../series/mongodb.js';
import type { IOpenStoreOptions, IStore } from '../store.js';
import { MongoDatabase } from './mongo-database.js';

/**
 * The MongoDB store, every part on one client. Server replicas and gateway
 * hosts may share the database; on a replica set, watchers learn of other
 * processes' appends through a change stream.
 */
export async function openMongoStore(
  options: IOpenStoreOptions.IMongoDb & { uri: string }
): Promise<IStore> {
  const database = await MongoDatabase.connect(options);
  return {
    kind: 'mongodb',
    jobs: new MongoJobs(database),
    queue: new MongoJobQueue(database),
    events: new MongoJobEvents(database),
    series: new MongoSeries(database),
    projects: new MongoProjects(database),
    accounts: new MongoAccounts(database),
    hosts: new MongoHosts(database),
    artifacts: new MongoJobArtifacts(database),
    chats: new MongoChats(database),
    ping: () => database.ping(),
    baselines: new MongoBaselines(database),
    sweeps: new MongoSweeps(database),
    oidc: new MongoOidcRecords(database),
    dispose: () => database.dispose()
  };
}
