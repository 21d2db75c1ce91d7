import { MongoClient } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import { JaxLabError } from '@jaxlab/schemas';
import type { IOpenStoreOptions } from '../store.js';
import type { IEventDoc } from './event-docs.js';
import { HeldJobs } from './held-jobs.js';
import type { IJobDoc } from './job-docs.js';
import { MongoAppendSignal } from './mongo-append-signal.js';

/**
 * One MongoDB database (official driver) and what every part of the MongoDB
 * store shares: the client, the collections and their indexes, and the
 * wake-ups of event watchers.
 */
export class MongoDatabase {
  /**
   * Connects, creates the indexes and starts the live-event feed.
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` when the server cannot be
   *   reached, or cannot serve a change stream that `liveEvents` demands;
   *   the client is closed again.
   */
  static async connect(
    options: IOpenStoreOptions.IMongoDb & { uri: string }
  ): Promise<MongoDatabase> {
    const client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000
    });
    const fromUri = client.options.dbName;
    const dbName =
      options.dbName ?? (fromUri && fromUri !== 'test' ? fromUri : 'jaxlab');
    const database = new MongoDatabase(
      client,
      client.db(dbName),
      options.liveEvents ?? 'auto'
    );
    try {
      await client.connect();
      await createIndexes(database._db);
      await database.appends.start();
      return database;
    } catch (cause) {
      await database.dispose();
      if (cause instanceof JaxLabError) throw cause;
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        `Cannot use MongoDB database ${dbName}.`,
        { cause, hint: 'Check MONGODB_URI and that the server is reachable.' }
      );
    }
  }

  private constructor(
    client: MongoClient,
    db: Db,
    liveEvents: 'auto' | 'change-stream' | 'tail'
  ) {
    this._client = client;
    this._db = db;
    this.appends = new MongoAppendSignal({
      jobs: () => this.jobs,
      events: () => this.events,
      liveEvents
    });
  }

  /** Wakes event watchers: on appends here, and on other processes' inserts. */
  readonly appends: MongoAppendSignal;

  /** What this process last wrote of the jobs it holds leases of. */
  readonly heldJobs = new HeldJobs();

  /** Whether {@link MongoDatabase.dispose} closed it. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The `jobs` collection (which is also the queue). */
  get jobs(): Collection<IJobDoc> {
    return this.collection<IJobDoc>('jobs');
  }

  /** The `job_events` collection: one document per event. */
  get events(): Collection<IEventDoc> {
    return this.collection<IEventDoc>('job_events');
  }

  /**
   * The database itself, for GridFS buckets.
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` after dispose.
   */
  get db(): Db {
    this.collection('jobs');
    return this._db;
  }

  /**
   * A collection of this database.
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` after dispose.
   */
  collection<T extends Document>(name: string): Collection<T> {
    if (this._isDisposed) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        'The MongoDB store was disposed.',
        { hint: 'Open the store again with openStore().' }
      );
    }
    return this._db.collection<T>(name);
  }

  /** Resolves when the server answers `ping`. */
  async ping(): Promise<void> {
    this.collection('jobs');
    await this._db.command({ ping: 1 });
  }

  /** Stops the live-event feed and closes the client. Idempotent. */
  async dispose(): Promise<void> {
    if (this._isDisposed) return;
    this._isDisposed = true;
    await this.appends.dispose();
    await this._client.close();
  }

  private _client: MongoClient;
  private _db: Db;
  private _isDisposed = false;
}

/** The indexes every query of the store relies on (idempotent). */
async function createIndexes(db: Db): Promise<void> {
  await Promise.all([
    db
      .collection('jobs')
      .createIndexes([
        { key: { owner: 1, createdAt: -1, _id: -1 } },
        { key: { status: 1, accelerator: 1, createdAt: 1, _id: 1 } },
        { key: { status: 1, fairRank: 1, createdAt: 1, _id: 1 } },
        { key: { owner: 1, status: 1 } },
        { key: { projectId: 1, finishedAt: 1 } },
        { key: { leaseExpiresAt: 1 } }
      ]),
    db
      .collection('job_events')
      .createIndex({ jobId: 1, seq: 1 }, { unique: true }),
    db.collection('projects').createIndex({ owner: 1, createdAt: 1 }),
    db.collection('sweeps').createIndex({ owner: 1, createdAt: -1 }),
    db.collection('sweeps').createIndex({ status: 1 }),
    db
      .collection('users')
      .createIndex({ provider: 1, subject: 1 }, { unique: true }),
    db
      .collection('sessions')
      .createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }),
    db
      .collection('api_tokens')
      .createIndexes([
        { key: { hash: 1 }, unique: true },
        { key: { owner: 1 } }
      ]),
    db.collection('hosts').createIndex({ lastSeenAt: 1 }),
    db
      .collection('oidc_records')
      .createIndexes([
        { key: { grantId: 1 } },
        { key: { model: 1, uid: 1 } },
        { key: { model: 1, userCode: 1 } },
        { key: { model: 1, accountId: 1 } },
        { key: { expiresAt: 1 }, expireAfterSeconds: 0 }
      ]),
    db
      .collection('artifacts')
      .createIndexes([
        { key: { jobId: 1, name: 1 }, unique: true },
        { key: { sha256: 1 } }
      ]),
    db
      .collection('chat_messages')
      .createIndex({ conversation: 1, owner: 1, _id: 1 }),
    db.collection('job_series').createIndex({ jobId: 1, ordinal: 1 }),
    db
      .collection('job_series_chunks')
      .createIndex({ jobId: 1, name: 1, chunk: 1 })
  ]);
}
