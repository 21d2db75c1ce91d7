import type { Collection } from 'mongodb';
import type { HostInfo } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IHosts } from './contract.js';

type IHostDoc = Omit<HostInfo, 'hostId'> & { _id: string };

/** {@link IHosts} on MongoDB: one document per host in `hosts`. */
export class MongoHosts implements IHosts {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async upsert(host: HostInfo): Promise<void> {
    const { hostId, ...rest } = host;
    const lastSeenAt = new Date(host.lastSeenAt).toISOString();
    await this._hosts().replaceOne(
      { _id: hostId },
      { ...rest, lastSeenAt },
      { upsert: true }
    );
  }

  async list(since: Date): Promise<HostInfo[]> {
    const docs = await this._hosts()
      .find({ lastSeenAt: { $gte: since.toISOString() } })
      .sort({ _id: 1 })
      .toArray();
    return docs.map(({ _id, ...rest }) => ({ hostId: _id, ...rest }));
  }

  private _hosts(): Collection<IHostDoc> {
    return this._database.collection<IHostDoc>('hosts');
  }

  private _database: MongoDatabase;
}
