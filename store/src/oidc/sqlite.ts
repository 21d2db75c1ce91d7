import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IOidcRecords } from './contract.js';
import {
  OIDC_SWEEP_EVERY_MS,
  lookupFieldsOf,
  storedPayloadOf
} from './contract.js';

interface IRecordRow {
  payload: string;
  consumed: number | null;
}

/** {@link IOidcRecords} on the embedded SQLite file (`oidc_records`). */
export class SqliteOidcRecords implements IOidcRecords {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async upsert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<void> {
    this._write('REPLACE', model, id, payload, expiresAt);
  }

  async insert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<boolean> {
    // An expired record is as good as none.
    this._database
      .prepare(
        'DELETE FROM oidc_records WHERE model = ? AND id = ? AND expiresAt <= ?'
      )
      .run(model, id, Date.now());
    return this._write('IGNORE', model, id, payload, expiresAt);
  }

  async find(
    model: string,
    id: string
  ): Promise<IOidcRecords.IPayload | undefined> {
    const row = this._database
      .prepare(
        `SELECT payload, consumed FROM oidc_records
         WHERE model = ? AND id = ? AND (expiresAt IS NULL OR expiresAt > ?)`
      )
      .get(model, id, Date.now()) as IRecordRow | undefined;
    return payloadOf(row);
  }

  async findBy(
    model: string,
    field: 'uid' | 'userCode',
    value: string
  ): Promise<IOidcRecords.IPayload | undefined> {
    const column = field === 'uid' ? 'uid' : 'userCode';
    const row = this._database
      .prepare(
        `SELECT payload, consumed FROM oidc_records
         WHERE model = ? AND ${column} = ? AND (expiresAt IS NULL OR expiresAt > ?)`
      )
      .get(model, value, Date.now()) as IRecordRow | undefined;
    return payloadOf(row);
  }

  async consume(model: string, id: string): Promise<void> {
    this._database
      .prepare(
        'UPDATE oidc_records SET consumed = ? WHERE model = ? AND id = ?'
      )
      .run(Math.floor(Date.now() / 1000), model, id);
  }

  async destroy(model: string, id: string): Promise<void> {
    this._database
      .prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?')
      .run(model, id);
  }

  async revokeByGrantId(
    grantId: string,
    models: readonly string[]
  ): Promise<void> {
    if (models.length === 0) return;
    this._database
      .prepare(
        `DELETE FROM oidc_records
         WHERE grantId = ? AND model IN (${models.map(() => '?').join(', ')})`
      )
      .run(grantId, ...models);
  }

  async idsOfAccount(model: string, accountId: string): Promise<string[]> {
    const rows = this._database
      .prepare(
        `SELECT id FROM oidc_records
         WHERE model = ? AND accountId = ? AND (expiresAt IS NULL OR expiresAt > ?)`
      )
      .all(model, accountId, Date.now()) as { id: string }[];
    return rows.map(row => row.id);
  }

  /** Writes a record; returns whether it was written. */
  private _write(
    conflict: 'REPLACE' | 'IGNORE',
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt: Date | undefined
  ): boolean {
    const now = Date.now();
    if (now - this._sweptAt >= OIDC_SWEEP_EVERY_MS) {
      this._sweptAt = now;
      this._database
        .prepare('DELETE FROM oidc_records WHERE expiresAt <= ?')
        .run(now);
    }
    const { grantId, uid, userCode, accountId } = lookupFieldsOf(payload);
    const result = this._database
      .prepare(
        `INSERT OR ${conflict} INTO oidc_records
           (model, id, payload, grantId, uid, userCode, accountId, consumed, expiresAt)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`
      )
      .run(
        model,
        id,
        JSON.stringify(payload),
        grantId,
        uid,
        userCode,
        accountId,
        expiresAt?.getTime() ?? null
      );
    return result.changes > 0;
  }

  private _database: SqliteDatabase;
  private _sweptAt = 0;
}

function payloadOf(
  row: IRecordRow | undefined
): IOidcRecords.IPayload | undefined {
  return row ? storedPayloadOf(row.payload, row.consumed) : undefined;
}
