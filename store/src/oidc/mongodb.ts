import { MongoServerError } from 'mongodb';
import type { Collection, Filter } from 'mongodb';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IOidcRecords } from './contract.js';
import {
  OIDC_SWEEP_EVERY_MS,
  lookupFieldsOf,
  storedPayloadOf
} from './contract.js';

/** MongoDB's duplicate key error. */
const DUPLICATE_KEY = 11000;

/**
 * A record. The payload is JSON text: its keys come from the provider and
 * its clients (resource URLs with dots among them).
 */
interface IOidcRecordDoc {
  _id: string;
  model: string;
  payloadJson: string;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  accountId: string | null;
  consumed: number | null;
  expiresAt: Date | null;
}

/**
 * {@link IOidcRecords} on MongoDB (`oidc_records`, `_id` = model and id; a
 * TTL index removes expired records on a real server, and writes sweep
 * them too, for servers without TTL monitors).
 */
export class MongoOidcRecords implements IOidcRecords {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async upsert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<void> {
    await this._sweep();
    await this._records().replaceOne(
      { _id: keyOf(model, id) },
      docOf(model, payload, expiresAt),
      { upsert: true }
    );
  }

  async insert(
    model: string,
    id: string,
    payload: IOidcRecords.IPayload,
    expiresAt?: Date
  ): Promise<boolean> {
    await this._sweep();
    const _id = keyOf(model, id);
    await this._records().deleteOne({ _id, expiresAt: { $lte: new Date() } });
    try {
      await this._records().insertOne({
        _id,
        ...docOf(model, payload, expiresAt)
      });
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY)
        return false;
      throw error;
    }
  }

  async find(
    model: string,
    id: string
  ): Promise<IOidcRecords.IPayload | undefined> {
    return payloadOf(
      await this._records().findOne({ _id: keyOf(model, id), ...live() })
    );
  }

  async findBy(
    model: string,
    field: 'uid' | 'userCode',
    value: string
  ): Promise<IOidcRecords.IPayload | undefined> {
    return payloadOf(
      await this._records().findOne({ model, [field]: value, ...live() })
    );
  }

  async consume(model: string, id: string): Promise<void> {
    await this._records().updateOne(
      { _id: keyOf(model, id) },
      { $set: { consumed: Math.floor(Date.now() / 1000) } }
    );
  }

  async destroy(model: string, id: string): Promise<void> {
    await this._records().deleteOne({ _id: keyOf(model, id) });
  }

  async revokeByGrantId(
    grantId: string,
    models: readonly string[]
  ): Promise<void> {
    await this._records().deleteMany({ grantId, model: { $in: [...models] } });
  }

  async idsOfAccount(model: string, accountId: string): Promise<string[]> {
    const prefix = `${model}:`;
    const docs = await this._records()
      .find({ model, accountId, ...live() }, { projection: { _id: 1 } })
      .toArray();
    return docs.map(doc => doc._id.slice(prefix.length));
  }

  private async _sweep(): Promise<void> {
    const now = Date.now();
    if (now - this._sweptAt < OIDC_SWEEP_EVERY_MS) return;
    this._sweptAt = now;
    await this._records().deleteMany({ expiresAt: { $lte: new Date(now) } });
  }

  private _records(): Collection<IOidcRecordDoc> {
    return this._database.collection<IOidcRecordDoc>('oidc_records');
  }

  private _database: MongoDatabase;
  private _sweptAt = 0;
}

function keyOf(model: string, id: string): string {
  return `${model}:${id}`;
}

/** Matches records that have not expired. */
function live(): Filter<IOidcRecordDoc> {
  return { $or: [{ expiresAt: null }, { expiresAt: { $gt: new Date() } }] };
}

function docOf(
  model: string,
  payload: IOidcRecords.IPayload,
  expiresAt: Date | undefined
): Omit<IOidcRecordDoc, '_id'> {
  return {
    model,
    payloadJson: JSON.stringify(payload),
    ...lookupFieldsOf(payload),
    consumed: null,
    expiresAt: expiresAt ?? null
  };
}

function payloadOf(
  doc: IOidcRecordDoc | null
): IOidcRecords.IPayload | undefined {
  return doc ? storedPayloadOf(doc.payloadJson, doc.consumed) : undefined;
}
