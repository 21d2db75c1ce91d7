import type { IAccounts } from './accounts/contract.js';
import type { IJobArtifacts } from './artifacts/contract.js';
import type { IChats } from './chats/contract.js';
import type { IBaselines } from './baselines/contract.js';
import type { IJobEvents } from './events/contract.js';
import type { IHosts } from './hosts/contract.js';
import type { IJobs } from './jobs/contract.js';
import type { IProjects } from './projects/contract.js';
import type { IOidcRecords } from './oidc/contract.js';
import type { IJobQueue } from './queue/contract.js';
import type { ISeries } from './series/contract.js';
import type { ISweeps } from './sweeps/contract.js';

/**
 * The lab's persistence, opened by {@link openStore}: one small part per
 * resource. Hand each caller only the parts it uses (the job runner gets
 * `queue`, `events` and `hosts`; auth gets `accounts`), so its types say
 * what it may touch. The opener owns `dispose()`.
 */
export interface IStore {
  /** Which backend this is, for logs and /api/health. */
  readonly kind: 'sqlite' | 'mongodb';
  readonly jobs: IJobs;
  readonly queue: IJobQueue;
  readonly events: IJobEvents;
  readonly series: ISeries;
  readonly projects: IProjects;
  readonly accounts: IAccounts;
  readonly hosts: IHosts;
  /** Files kept with runs (outputs/, profile traces), content-addressed. */
  readonly artifacts: IJobArtifacts;
  /** Conversations about runs, per user. */
  readonly chats: IChats;
  /** Regression baselines, one per project. */
  readonly baselines: IBaselines;
  /** Sweeps and their materialised trials. */
  readonly sweeps: ISweeps;
  /** The OpenID provider's sessions, grants, codes and tokens. */
  readonly oidc: IOidcRecords;
  /**
   * Resolves when the database answers a trivial query (readiness
   * probes); throws `STORE_UNAVAILABLE` (or the driver's error) otherwise.
   */
  ping(): Promise<void>;
  /**
   * Stops watchers and closes the connection. Idempotent; afterwards every
   * part throws `STORE_UNAVAILABLE`.
   */
  dispose(): Promise<void>;
}

/** Options of {@link openStore}; see there for how the backend is chosen. */
export interface IOpenStoreOptions {
  /** The lab's data folder: SQLite lives at `<dataDir>/jaxlab.db`. */
  dataDir?: string;
  /** The embedded store, chosen explicitly (env `MONGODB_URI` is then ignored). */
  sqlite?: IOpenStoreOptions.ISqlite;
  /** MongoDB; without `uri`, env `MONGODB_URI`. */
  mongodb?: IOpenStoreOptions.IMongoDb;
}

/** Option types of {@link IOpenStoreOptions}. */
export namespace IOpenStoreOptions {
  /** The embedded SQLite store. */
  export interface ISqlite {
    /** The database file (created with its folder), or `:memory:`. */
    path: string;
  }

  /** The MongoDB store. */
  export interface IMongoDb {
    /** Connection string, e.g. `mongodb://host:27017/?replicaSet=rs0`. */
    uri?: string;
    /** Database name (default: the URI's, else `jaxlab`). */
    dbName?: string;
    /**
     * How watchers learn of another process's appends: `change-stream`
     * (opening the store fails when the server cannot serve one), `tail`
     * (poll the waited-on jobs' `lastSeq` every 10 ms), or `auto` (the
     * default: a change stream where the server serves one, else the tail).
     */
    liveEvents?: 'auto' | 'change-stream' | 'tail';
    /** How long to look for a server before failing (default 5000 ms). */
    serverSelectionTimeoutMs?: number;
  }
}
