import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SqliteAccounts } from '../accounts/sqlite.js';
import { SqliteJobArtifacts } from '../artifacts/sqlite.js';
import { SqliteChats } from '../chats/sqlite.js';
import { SqliteJobEvents } from '../events/sqlite.js';
import { SqliteBaselines } from '../baselines/sqlite.js';
import { SqliteHosts } from '../hosts/sqlite.js';
import { SqliteSweeps } from '../sweeps/sqlite.js';
import { SqliteJobs } from '../jobs/sqlite.js';
import { SqliteProjects } from '../projects/sqlite.js';
import { SqliteOidcRecords } from '../oidc/sqlite.js';
import { SqliteJobQueue } from '../queue/sqlite.js';
import { SqliteSeries } from '../series/sqlite.js';
import type { IStore } from '../store.js';
import { SqliteDatabase } from './sqlite-database.js';

/**
 * The embedded store on one SQLite file (or `:memory:`), every part on one
 * connection; artifact contents as files in `artifacts/` beside the
 * database file (a temporary folder for `:memory:`, removed on dispose).
 * Server and gateway processes may open the same file.
 */
export function openSqliteStore(path: string): IStore {
  const database = new SqliteDatabase(path);
  const scratch =
    path === ':memory:'
      ? mkdtempSync(join(tmpdir(), 'jaxlab-artifacts-'))
      : undefined;
  return {
    kind: 'sqlite',
    jobs: new SqliteJobs(database),
    queue: new SqliteJobQueue(database),
    events: new SqliteJobEvents(database),
    series: new SqliteSeries(database),
    projects: new SqliteProjects(database),
    accounts: new SqliteAccounts(database),
    hosts: new SqliteHosts(database),
    ping: async () => {
      database.prepare('SELECT 1').get();
    },
    artifacts: new SqliteJobArtifacts(
      database,
      scratch ?? join(dirname(path), 'artifacts')
    ),
    chats: new SqliteChats(database),
    baselines: new SqliteBaselines(database),
    sweeps: new SqliteSweeps(database),
    oidc: new SqliteOidcRecords(database),
    dispose: async () => {
      database.dispose();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  };
}
