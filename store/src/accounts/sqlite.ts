import { randomUUID } from 'node:crypto';
import type { ApiToken, User } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IAccounts } from './contract.js';
import { listedApiToken } from './listed-api-token.js';

/** {@link IAccounts} on the embedded SQLite file. */
export class SqliteAccounts implements IAccounts {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async upsertUser(input: IAccounts.IUserInput): Promise<User> {
    const row = this._database
      .prepare(
        `INSERT INTO users (id, provider, subject, email, name, createdAt)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (provider, subject)
           DO UPDATE SET email = excluded.email, name = excluded.name
         RETURNING id, email, name, provider`
      )
      .get(
        randomUUID(),
        input.provider,
        input.subject,
        input.email,
        input.name,
        new Date().toISOString()
      ) as User;
    return { ...row };
  }

  async getUser(id: string): Promise<User | null> {
    const row = this._database
      .prepare('SELECT id, email, name, provider FROM users WHERE id = ?')
      .get(id) as User | undefined;
    return row ? { ...row } : null;
  }

  async putSession(
    sidHash: string,
    data: unknown,
    expiresAt: Date
  ): Promise<void> {
    this._database
      .prepare(
        `INSERT INTO sessions (sidHash, data, expiresAt) VALUES (?, ?, ?)
         ON CONFLICT (sidHash)
           DO UPDATE SET data = excluded.data, expiresAt = excluded.expiresAt`
      )
      .run(sidHash, JSON.stringify(data ?? null), expiresAt.getTime());
  }

  async getSession(
    sidHash: string,
    now: Date = new Date()
  ): Promise<unknown | null> {
    const row = this._database
      .prepare('SELECT data, expiresAt FROM sessions WHERE sidHash = ?')
      .get(sidHash) as { data: string; expiresAt: number } | undefined;
    if (!row) return null;
    if (row.expiresAt <= now.getTime()) {
      this._database
        .prepare('DELETE FROM sessions WHERE sidHash = ? AND expiresAt <= ?')
        .run(sidHash, now.getTime());
      return null;
    }
    return JSON.parse(row.data) as unknown;
  }

  async deleteSession(sidHash: string): Promise<void> {
    this._database
      .prepare('DELETE FROM sessions WHERE sidHash = ?')
      .run(sidHash);
  }

  async createApiToken(
    owner: string,
    name: string,
    tokenHash: string
  ): Promise<ApiToken> {
    const token: ApiToken = {
      id: randomUUID(),
      name,
      createdAt: new Date().toISOString()
    };
    try {
      this._database
        .prepare(
          `INSERT INTO api_tokens (id, owner, name, hash, createdAt)
           VALUES (?, ?, ?, ?, ?)`
        )
        .run(token.id, owner, name, tokenHash, token.createdAt);
    } catch (cause) {
      if ((cause as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new JaxLabError('CONFLICT', 'A token with this hash exists.', {
          cause,
          hint: 'Generate a new random token secret.'
        });
      }
      throw cause;
    }
    return token;
  }

  async listApiTokens(owner: string): Promise<ApiToken[]> {
    const rows = this._database
      .prepare(
        `SELECT id, name, createdAt, lastUsedAt FROM api_tokens
         WHERE owner = ? ORDER BY createdAt, id`
      )
      .all(owner) as (ApiToken & { lastUsedAt: string | null })[];
    return rows.map(listedApiToken);
  }

  async revokeApiToken(id: string, owner: string): Promise<boolean> {
    const result = this._database
      .prepare('DELETE FROM api_tokens WHERE id = ? AND owner = ?')
      .run(id, owner);
    return result.changes > 0;
  }

  async findUserByTokenHash(tokenHash: string): Promise<User | null> {
    const row = this._database
      .prepare(
        'UPDATE api_tokens SET lastUsedAt = ? WHERE hash = ? RETURNING owner'
      )
      .get(new Date().toISOString(), tokenHash) as
      { owner: string } | undefined;
    return row ? this.getUser(row.owner) : null;
  }

  private _database: SqliteDatabase;
}
