import { randomUUID } from 'node:crypto';
import { MongoServerError } from 'mongodb';
import type { Collection } from 'mongodb';
import type { ApiToken, User } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IAccounts } from './contract.js';
import { listedApiToken } from './listed-api-token.js';

interface IUserDoc {
  _id: string;
  provider: 'google' | 'local';
  subject: string;
  email: string;
  name: string;
  createdAt: string;
}

interface ISessionDoc {
  _id: string;
  dataJson: string;
  expiresAt: Date;
}

interface ITokenDoc {
  _id: string;
  owner: string;
  name: string;
  hash: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** MongoDB's duplicate-key error: a unique index refused a write. */
const DUPLICATE_KEY = 11000;

/**
 * {@link IAccounts} on MongoDB: `users` (unique on provider and subject),
 * `sessions` (a TTL index removes expired ones eventually) and `api_tokens`
 * (unique on the hash).
 */
export class MongoAccounts implements IAccounts {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async upsertUser(input: IAccounts.IUserInput): Promise<User> {
    for (let attempt = 0; ; attempt++) {
      try {
        const doc = await this._users().findOneAndUpdate(
          { provider: input.provider, subject: input.subject },
          {
            $set: { email: input.email, name: input.name },
            $setOnInsert: {
              _id: randomUUID(),
              createdAt: new Date().toISOString()
            }
          },
          { upsert: true, returnDocument: 'after' }
        );
        return docToUser(doc!);
      } catch (error) {
        // Two first sign-ins at once: the unique index lets one win; retry.
        if (attempt < 2 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  async getUser(id: string): Promise<User | null> {
    const doc = await this._users().findOne({ _id: id });
    return doc ? docToUser(doc) : null;
  }

  async putSession(
    sidHash: string,
    data: unknown,
    expiresAt: Date
  ): Promise<void> {
    await this._sessions().replaceOne(
      { _id: sidHash },
      { dataJson: JSON.stringify(data ?? null), expiresAt },
      { upsert: true }
    );
  }

  async getSession(
    sidHash: string,
    now: Date = new Date()
  ): Promise<unknown | null> {
    const doc = await this._sessions().findOne({ _id: sidHash });
    if (!doc) return null;
    if (doc.expiresAt.getTime() <= now.getTime()) {
      // The TTL index removes it eventually; answer as if it were gone.
      await this._sessions().deleteOne({
        _id: sidHash,
        expiresAt: { $lte: now }
      });
      return null;
    }
    return JSON.parse(doc.dataJson) as unknown;
  }

  async deleteSession(sidHash: string): Promise<void> {
    await this._sessions().deleteOne({ _id: sidHash });
  }

  async createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken> {
    const doc: ITokenDoc = {
      _id: randomUUID(),
      owner,
      name,
      hash: tokenHash,
      createdAt: new Date().toISOString()
    };
    try {
      await this._tokens().insertOne(doc);
    } catch (cause) {
      if (isDuplicateKey(cause)) {
        throw new JaxLabError('CONFLICT', 'A token with this hash exists.', {
          cause,
          hint: 'Generate a new random token secret.'
        });
      }
      throw cause;
    }
    return { id: doc._id, name, createdAt: doc.createdAt };
  }

  async listApiTokens(owner: string): Promise<ApiToken[]> {
    const docs = await this._tokens()
      .find({ owner })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(doc => listedApiToken({ ...doc, id: doc._id }));
  }

  async revokeApiToken(id: string, owner: string): Promise<boolean> {
    const result = await this._tokens().deleteOne({ _id: id, owner });
    return result.deletedCount > 0;
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const doc = await this._tokens().findOneAndUpdate(
      { hash: tokenHash },
      { $set: { lastUsedAt: new Date().toISOString() } },
      { projection: { owner: 1 } }
    );
    return doc ? this.getUser(doc.owner) : null;
  }

  private _users(): Collection<IUserDoc> {
    return this._database.collection<IUserDoc>('users');
  }

  private _sessions(): Collection<ISessionDoc> {
    return this._database.collection<ISessionDoc>('sessions');
  }

  private _tokens(): Collection<ITokenDoc> {
    return this._database.collection<ITokenDoc>('api_tokens');
  }

  private _database: MongoDatabase;
}

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === DUPLICATE_KEY;
}

function docToUser(doc: IUserDoc): User {
  return {
    id: doc._id,
    email: doc.email,
    name: doc.name,
    provider: doc.provider
  };
}
