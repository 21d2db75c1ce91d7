import type { Collection } from 'mongodb';
import type { Baseline } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IBaselines } from './contract.js';

interface IBaselineDoc {
  _id: string;
  owner: string;
  /** The Baseline as JSON (metric names are users' and may hold dots). */
  json: string;
}

/** {@link IBaselines} on MongoDB: one document per project in `baselines`. */
export class MongoBaselines implements IBaselines {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async set(owner: string, baseline: Baseline): Promise<Baseline> {
    await this._baselines().replaceOne(
      { _id: baseline.projectId },
      { owner, json: JSON.stringify(baseline) },
      { upsert: true }
    );
    return baseline;
  }

  async get(projectId: string, owner: string): Promise<Baseline | null> {
    const doc = await this._baselines().findOne({ _id: projectId, owner });
    return doc ? (JSON.parse(doc.json) as Baseline) : null;
  }

  async remove(projectId: string, owner: string): Promise<boolean> {
    const result = await this._baselines().deleteOne({ _id: projectId, owner });
    return result.deletedCount > 0;
  }

  async listAll(): Promise<{ owner: string; baseline: Baseline }[]> {
    const docs = await this._baselines().find().sort({ _id: 1 }).toArray();
    return docs.map(doc => ({
      owner: doc.owner,
      baseline: JSON.parse(doc.json) as Baseline
    }));
  }

  private _baselines(): Collection<IBaselineDoc> {
    return this._database.collection<IBaselineDoc>('baselines');
  }

  private _database: MongoDatabase;
}
