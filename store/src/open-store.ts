import { join } from 'node:path';
import { JaxLabError } from '@jaxlab/schemas';
import { openMongoStore } from './mongodb/open-mongo-store.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';
import type { IOpenStoreOptions, IStore } from './store.js';

/**
 * Opens the lab's store, ready to use (tables/collections and indexes
 * created, migrations applied): MongoDB when `mongodb.uri` is given, or when
 * env `MONGODB_URI` is set and `sqlite` is not; else the embedded SQLite
 * file `sqlite.path` or `<dataDir>/jaxlab.db`. The caller owns `dispose()`.
 *
 * @throws JaxLabError `STORE_UNAVAILABLE` when the database cannot be
 *   opened or reached (nothing is left open).
 *
 * @example
 * ```ts
 * const store = await openStore({ dataDir: '.jaxlab' });
 * const runner = new JobRunner({ queue: store.queue, events: store.events, hosts: store.hosts, ... });
 * ```
 */
export async function openStore(options: IOpenStoreOptions): Promise<IStore> {
  const uri =
    options.mongodb?.uri ||
    (options.sqlite ? undefined : process.env.MONGODB_URI);
  if (uri) {
    return openMongoStore({ ...options.mongodb, uri });
  }
  const path =
    options.sqlite?.path ??
    (options.dataDir !== undefined
      ? join(options.dataDir, 'jaxlab.db')
      : undefined);
  if (path === undefined) {
    throw new JaxLabError('STORE_UNAVAILABLE', 'No store was configured.', {
      hint: 'Pass dataDir (or sqlite.path), or set MONGODB_URI.'
    });
  }
  return openSqliteStore(path);
}
