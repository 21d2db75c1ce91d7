import { join } from 'node:path';
import type { IJobStore } from './job-store.js';
import { MongoJobStore } from './mongodb/mongo-job-store.js';
import { SqliteJobStore } from './sqlite/sqlite-job-store.js';

/** Options of {@link createJobStore}. */
export interface ICreateJobStoreOptions {
  /** The lab's data folder; the SQLite file is `<dataDir>/jaxlab.db`. */
  dataDir: string;
  /** A MongoDB connection string; defaults to env `MONGODB_URI`. */
  mongodbUri?: string;
  /** Database name on MongoDB (default: the URI's, else `jaxlab`). */
  mongodbDbName?: string;
}

/**
 * The store the lab uses: MongoDB when a URI is given (option or env
 * `MONGODB_URI`), else the embedded SQLite file under the data folder. The
 * caller calls `init()` and owns `dispose()`.
 *
 * @example
 * ```ts
 * const store = createJobStore({ dataDir: process.env.JAXLAB_DATA_DIR ?? '.jaxlab' });
 * await store.init();
 * ```
 */
export function createJobStore(options: ICreateJobStoreOptions): IJobStore {
  const uri = options.mongodbUri ?? process.env.MONGODB_URI;
  if (uri) {
    return new MongoJobStore({ uri, dbName: options.mongodbDbName });
  }
  return new SqliteJobStore({ path: join(options.dataDir, 'jaxlab.db') });
}
