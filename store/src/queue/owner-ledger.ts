import { randomUUID } from 'node:crypto';
import { MongoServerError } from 'mongodb';
import type { Collection } from 'mongodb';
import type { MongoDatabase } from '../mongodb/mongo-database.js';

/** How long a place may wait for its job's claim before it counts as stale. */
const RESERVATION_MS = 10_000;

/** MongoDB's duplicate key error. */
const DUPLICATE_KEY = 11000;

interface IOwnerPlaces {
  _id: string;
  places: { jobId: string; at: number; token: string }[];
}

/**
 * The per-owner cap of concurrent jobs on MongoDB, which has no statement
 * that counts other documents while updating one: each owner has a document
 * listing the jobs holding one of their places, and a claim first adds its
 * job there with one update guarded on the list being shorter than the cap,
 * so racing claimers on any host can never overfill it.
 *
 * Places are not given back when jobs end (a job can end on any host, or
 * by lease expiry, or not at all when its host is killed): a full ledger is
 * pruned of jobs no longer COMPILING or RUNNING, and of places whose job
 * was never claimed (a claimer that died between its two steps), before
 * it counts as full.
 */
export class OwnerLedger {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  /**
   * Takes one of `owner`'s `cap` places for `jobId`: the place's token, or
   * null when all are held.
   */
  async reserve(
    owner: string,
    jobId: string,
    cap: number,
    now: Date
  ): Promise<string | null> {
    if (cap < 1) return null;
    const place = { jobId, at: now.getTime(), token: randomUUID() };
    if (await this._push(owner, place, cap)) return place.token;
    if ((await this._prune(owner, now)) === 0) return null;
    return (await this._push(owner, place, cap)) ? place.token : null;
  }

  /**
   * Gives back a place whose job another claimer took (only this place:
   * the winner holds one for the same job).
   */
  async release(owner: string, token: string): Promise<void> {
    await this._places().updateOne(
      { _id: owner },
      { $pull: { places: { token } } }
    );
  }

  /** Gives back the places of a job handed back to the queue. */
  async releaseJob(owner: string, jobId: string): Promise<void> {
    await this._places().updateOne(
      { _id: owner },
      { $pull: { places: { jobId } } }
    );
  }

  private async _push(
    owner: string,
    place: IOwnerPlaces['places'][number],
    cap: number
  ): Promise<boolean> {
    try {
      const result = await this._places().updateOne(
        { _id: owner, [`places.${cap - 1}`]: { $exists: false } },
        { $push: { places: place } },
        { upsert: true }
      );
      return result.modifiedCount + result.upsertedCount > 0;
    } catch (error) {
      // The ledger exists and is full: the upsert tried to insert it again.
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY)
        return false;
      throw error;
    }
  }

  /** Removes places whose job no longer runs; returns how many. */
  private async _prune(owner: string, now: Date): Promise<number> {
    const ledger = await this._places().findOne({ _id: owner });
    const places = ledger?.places ?? [];
    if (places.length === 0) return 0;
    const jobs = await this._database.jobs
      .find(
        { _id: { $in: places.map(p => p.jobId) } },
        { projection: { _id: 1, status: 1 } }
      )
      .toArray();
    const statusOf = new Map(jobs.map(doc => [doc._id, doc.status]));
    const cutoff = now.getTime() - RESERVATION_MS;
    const gone = new Set(
      places
        .filter(p => {
          const status = statusOf.get(p.jobId);
          if (status === 'COMPILING' || status === 'RUNNING') return false;
          // QUEUED: its claim may be under way (or it was handed back).
          return status !== 'QUEUED' || p.at < cutoff;
        })
        .map(p => p.jobId)
    );
    if (gone.size === 0) return 0;
    await this._places().updateOne(
      { _id: owner },
      { $pull: { places: { jobId: { $in: [...gone] } } } }
    );
    return gone.size;
  }

  private _places(): Collection<IOwnerPlaces> {
    return this._database.collection<IOwnerPlaces>('owner_places');
  }

  private _database: MongoDatabase;
}
