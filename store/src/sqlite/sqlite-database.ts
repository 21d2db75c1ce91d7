import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JaxLabError } from '@jaxlab/schemas';
import { SqliteAppendSignal } from './sqlite-append-signal.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';

/**
 * One SQLite file (WAL, `synchronous=NORMAL`, foreign keys, migrations by
 * `PRAGMA user_version`) shared by the server and gateway processes of one
 * machine, and what every part of the SQLite store shares: the connection,
 * its prepared statements and the wake-ups of event watchers.
 *
 * better-sqlite3 is synchronous, so a method runs to completion without
 * interleaving inside this process; writes that must be atomic against
 * other processes run in {@link SqliteDatabase.immediate} transactions.
 */
export class SqliteDatabase {
  /**
   * Opens (creating file and folder) and migrates the database.
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` when the file cannot be opened.
   */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (cause) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        `Cannot open the SQLite database ${path}.`,
        { cause, hint: 'Check that the data folder exists and is writable.' }
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
        db.exec(SQLITE_MIGRATIONS[v]);
      }
      if (version < SQLITE_MIGRATIONS.length) {
        db.pragma(`user_version = ${SQLITE_MIGRATIONS.length}`);
      }
    }).immediate();
    this._db = db;
    this.appends = new SqliteAppendSignal(() =>
      this._db ? (db.pragma('data_version', { simple: true }) as number) : null
    );
  }

  /** Whether {@link SqliteDatabase.dispose} closed it. */
  get isDisposed(): boolean {
    return this._db === null;
  }

  /** Wakes event watchers: on appends here, and on other processes' commits. */
  readonly appends: SqliteAppendSignal;

  /**
   * A prepared statement for `sql`, made once per connection.
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` after dispose.
   */
  prepare(sql: string): Database.Statement {
    const db = this._open();
    let statement = this._statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      this._statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in a `BEGIN IMMEDIATE` transaction (atomic across processes). */
  immediate<T>(fn: () => T): T {
    return this._open().transaction(fn).immediate();
  }

  /** Wakes and releases watchers, then closes the file. Idempotent. */
  dispose(): void {
    if (!this._db) return;
    const db = this._db;
    this._db = null;
    this._statements.clear();
    this.appends.dispose();
    db.close();
  }

  private _open(): Database.Database {
    if (!this._db) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        'The SQLite store was disposed.',
        { hint: 'Open the store again with openStore().' }
      );
    }
    return this._db;
  }

  private _db: Database.Database | null;
  private _statements = new Map<string, Database.Statement>();
}
