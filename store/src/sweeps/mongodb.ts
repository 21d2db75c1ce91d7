import type { Collection } from 'mongodb';
import type { Sweep } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { ISweeps } from './contract.js';

interface ISweepDoc {
  _id: string;
  owner: string;
  projectId: string;
  status: Sweep['status'];
  createdAt: string;
  /** Incremented by every write: the guard of {@link MongoSweeps.mutate}. */
  version: number;
  /** The Sweep as JSON (trial arguments may hold any keys). */
  json: string;
  template: ISweeps.ITemplate;
}

/** {@link ISweeps} on MongoDB: one document per sweep in `sweeps`. */
export class MongoSweeps implements ISweeps {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async create(sweep: Sweep, template: ISweeps.ITemplate): Promise<Sweep> {
    await this._sweeps().insertOne({
      _id: sweep.id,
      owner: sweep.owner,
      projectId: sweep.projectId,
      status: sweep.status,
      createdAt: sweep.createdAt,
      version: 0,
      json: JSON.stringify(sweep),
      template
    });
    return sweep;
  }

  async get(id: string, owner?: string): Promise<Sweep | null> {
    const doc = await this._sweeps().findOne(
      owner === undefined ? { _id: id } : { _id: id, owner }
    );
    return doc ? (JSON.parse(doc.json) as Sweep) : null;
  }

  async template(id: string): Promise<ISweeps.ITemplate | null> {
    const doc = await this._sweeps().findOne({ _id: id });
    return doc?.template ?? null;
  }

  async list(owner: string, projectId?: string): Promise<Sweep[]> {
    const docs = await this._sweeps()
      .find(projectId === undefined ? { owner } : { owner, projectId })
      .sort({ createdAt: -1, _id: -1 })
      .toArray();
    return docs.map(doc => JSON.parse(doc.json) as Sweep);
  }

  async listActive(): Promise<string[]> {
    const docs = await this._sweeps()
      .find(
        { status: { $in: ['RUNNING', 'PAUSED'] } },
        { projection: { _id: 1 } }
      )
      .sort({ createdAt: 1 })
      .toArray();
    return docs.map(doc => doc._id);
  }

  async mutate(
    id: string,
    change: (sweep: Sweep) => Sweep | null
  ): Promise<Sweep | null> {
    // Optimistic: the write only lands on the version read.
    for (;;) {
      const doc = await this._sweeps().findOne({ _id: id });
      if (!doc) return null;
      const current = JSON.parse(doc.json) as Sweep;
      const next = change(current);
      if (!next) return current;
      const result = await this._sweeps().updateOne(
        { _id: id, version: doc.version },
        {
          $set: { status: next.status, json: JSON.stringify(next) },
          $inc: { version: 1 }
        }
      );
      if (result.matchedCount) return next;
    }
  }

  private _sweeps(): Collection<ISweepDoc> {
    return this._database.collection<ISweepDoc>('sweeps');
  }

  private _database: MongoDatabase;
}
