import type { HostInfo } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IHosts } from './contract.js';

/** {@link IHosts} on the embedded SQLite file. */
export class SqliteHosts implements IHosts {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async upsert(host: HostInfo): Promise<void> {
    const lastSeenAt = new Date(host.lastSeenAt).toISOString();
    this._database
      .prepare(
        `INSERT INTO hosts (hostId, lastSeenAt, doc) VALUES (?, ?, ?)
         ON CONFLICT (hostId)
           DO UPDATE SET lastSeenAt = excluded.lastSeenAt, doc = excluded.doc`
      )
      .run(host.hostId, lastSeenAt, JSON.stringify({ ...host, lastSeenAt }));
  }

  async list(since: Date): Promise<HostInfo[]> {
    const rows = this._database
      .prepare('SELECT doc FROM hosts WHERE lastSeenAt >= ? ORDER BY hostId')
      .all(since.toISOString()) as { doc: string }[];
    return rows.map(row => JSON.parse(row.doc) as HostInfo);
  }

  private _database: SqliteDatabase;
}
