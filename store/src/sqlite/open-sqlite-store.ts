import { SqliteAccounts } from '../accounts/sqlite.js';
import { SqliteJobEvents } from '../events/sqlite.js';
import { SqliteHosts } from '../hosts/sqlite.js';
import { SqliteJobs } from '../jobs/sqlite.js';
import { SqliteProjects } from '../projects/sqlite.js';
import { SqliteJobQueue } from '../queue/sqlite.js';
import type { IStore } from '../store.js';
import { SqliteDatabase } from './sqlite-database.js';

/**
 * The embedded store on one SQLite file (or `:memory:`), every part on one
 * connection. Server and gateway processes may open the same file.
 */
export function openSqliteStore(path: string): IStore {
  const database = new SqliteDatabase(path);
  return {
    kind: 'sqlite',
    jobs: new SqliteJobs(database),
    queue: new SqliteJobQueue(database),
    events: new SqliteJobEvents(database),
    projects: new SqliteProjects(database),
    accounts: new SqliteAccounts(database),
    hosts: new SqliteHosts(database),
    dispose: async () => database.dispose()
  };
}
