import { ObjectId } from 'mongodb';
import type { ChatMessage } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IChats } from './contract.js';

interface IChatDoc {
  _id: ObjectId;
  conversation: string;
  owner: string;
  message: ChatMessage;
}

/** {@link IChats} on MongoDB: one document per message in `chat_messages`, ordered by `_id`. */
export class MongoChats implements IChats {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async append(
    conversation: string,
    owner: string,
    message: ChatMessage
  ): Promise<void> {
    await this._collection.insertOne({
      _id: new ObjectId(),
      conversation,
      owner,
      message
    });
  }

  async list(
    conversation: string,
    owner: string,
    limit = 200
  ): Promise<ChatMessage[]> {
    const docs = await this._collection
      .find({ conversation, owner })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.reverse().map(d => d.message);
  }

  private get _collection() {
    return this._database.collection<IChatDoc>('chat_messages');
  }

  private _database: MongoDatabase;
}
