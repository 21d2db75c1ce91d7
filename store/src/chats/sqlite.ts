import type { ChatMessage } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IChats } from './contract.js';

/** {@link IChats} in the embedded store: one row per message, numbered per conversation and owner. */
export class SqliteChats implements IChats {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async append(
    conversation: string,
    owner: string,
    message: ChatMessage
  ): Promise<void> {
    const database = this._database;
    database.immediate(() => {
      const { seq } = database
        .prepare(
          'SELECT COALESCE(MAX(seq), 0) AS seq FROM chat_messages WHERE conversation = ? AND owner = ?'
        )
        .get(conversation, owner) as { seq: number };
      database
        .prepare(
          'INSERT INTO chat_messages (conversation, owner, seq, doc) VALUES (?, ?, ?, ?)'
        )
        .run(conversation, owner, seq + 1, JSON.stringify(message));
    });
  }

  async list(
    conversation: string,
    owner: string,
    limit = 200
  ): Promise<ChatMessage[]> {
    const rows = this._database
      .prepare(
        `SELECT doc FROM chat_messages WHERE conversation = ? AND owner = ?
         ORDER BY seq DESC LIMIT ?`
      )
      .all(conversation, owner, limit) as { doc: string }[];
    return rows.reverse().map(r => JSON.parse(r.doc) as ChatMessage);
  }

  private _database: SqliteDatabase;
}
