import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, MongoServerError, ObjectId } from 'mongodb';
import type { Artifact, ArtifactCollection } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import {
  artifactDeleted,
  artifactEntry,
  checkArtifactName
} from './artifact-entry.js';
import { HashingSource } from './content-hash.js';
import type { IJobArtifacts } from './contract.js';
import { mediaTypeOf } from './media-type.js';

interface IArtifactDoc extends Artifact {
  _id: ObjectId;
  jobId: string;
}

/** One distinct content: its GridFS file and how many artifacts use it. */
interface IContentDoc {
  _id: string;
  fileId: ObjectId;
  sizeBytes: number;
  refs: number;
}

interface ICollectionDoc {
  _id: string;
  collection: ArtifactCollection;
}

/**
 * {@link IJobArtifacts} on MongoDB: contents in GridFS (the official
 * driver's `GridFSBucket`, bucket `artifacts`, streamed both ways), one
 * `artifact_contents` document per distinct SHA-256 with a reference count,
 * one `artifacts` document per entry. Without transactions the counts are
 * kept by single-document atomic updates: a content is deleted only by the
 * `findOneAndDelete` that sees its count at zero, and a writer that finds
 * no content document inserts its own upload as the content.
 */
export class MongoJobArtifacts implements IJobArtifacts {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async put(jobId: string, input: IJobArtifacts.INew): Promise<Artifact> {
    checkArtifactName(input.name);
    const job = await this._database.jobs.findOne(
      { _id: jobId },
      { projection: { _id: 1 } }
    );
    if (!job) throw new JaxLabError('JOB_NOT_FOUND', `No job ${jobId}`);
    const bucket = this._bucket;
    const fileId = new ObjectId();
    const source = new HashingSource(input.data);
    const upload = bucket.openUploadStreamWithId(fileId, input.name);
    try {
      await pipeline(Readable.from(source.chunks()), upload);
    } catch (error) {
      await bucket.delete(fileId).catch(() => undefined);
      throw error;
    }
    const sha256 = source.sha256();
    const isOurs = await this._reference(sha256, fileId, source.size());
    if (!isOurs) await bucket.delete(fileId).catch(() => undefined);
    const entry = artifactEntry({
      name: input.name,
      contentType: input.contentType ?? mediaTypeOf(input.name),
      sizeBytes: source.size(),
      sha256,
      createdAt: new Date().toISOString(),
      description: input.description
    });
    const previous = await this._artifacts.findOneAndReplace(
      { jobId, name: entry.name },
      { jobId, ...entry },
      { upsert: true, returnDocument: 'before' }
    );
    if (previous && !previous.deletedAt) await this._release(previous.sha256);
    return entry;
  }

  async list(jobId: string): Promise<Artifact[]> {
    const docs = await this._artifacts
      .find({ jobId })
      .sort({ name: 1 })
      .toArray();
    return docs.map(artifactEntry);
  }

  async open(
    jobId: string,
    name: string,
    range?: IJobArtifacts.IRange
  ): Promise<IJobArtifacts.IOpened | null> {
    const doc = await this._artifacts.findOne({ jobId, name });
    if (!doc) return null;
    if (doc.deletedAt) throw artifactDeleted(jobId, name);
    const stream = await this.openContent(doc.sha256, range);
    if (!stream) throw artifactDeleted(jobId, name);
    return { artifact: artifactEntry(doc), stream };
  }

  async openContent(
    sha256: string,
    range?: IJobArtifacts.IRange
  ): Promise<Readable | null> {
    const content = await this._contents.findOne({ _id: sha256 });
    if (!content) return null;
    // GridFS ends are exclusive; HTTP's (and ours) inclusive.
    return this._bucket.openDownloadStream(
      content.fileId,
      range ? { start: range.start, end: range.end + 1 } : {}
    );
  }

  async setCollection(
    jobId: string,
    collection: ArtifactCollection
  ): Promise<void> {
    await this._database
      .collection<ICollectionDoc>('artifact_collections')
      .replaceOne({ _id: jobId }, { collection }, { upsert: true });
  }

  async getCollection(jobId: string): Promise<ArtifactCollection | null> {
    const doc = await this._database
      .collection<ICollectionDoc>('artifact_collections')
      .findOne({ _id: jobId });
    return doc?.collection ?? null;
  }

  async deleteFinishedBefore(projectId: string, cutoff: Date): Promise<number> {
    const jobs = await this._database.jobs
      .find(
        { projectId, finishedAt: { $ne: null, $lt: cutoff.toISOString() } },
        { projection: { _id: 1 } }
      )
      .toArray();
    let deleted = 0;
    const now = new Date().toISOString();
    for (const { _id: jobId } of jobs) {
      for (const doc of await this._artifacts
        .find({ jobId, deletedAt: { $exists: false } })
        .toArray()) {
        // Only the update that marks it releases its content.
        const marked = await this._artifacts.updateOne(
          { _id: doc._id, deletedAt: { $exists: false } },
          { $set: { deletedAt: now } }
        );
        if (marked.modifiedCount === 1) {
          await this._release(doc.sha256);
          deleted++;
        }
      }
    }
    return deleted;
  }

  /** One more reference to content `sha256`; true when `fileId` became that content. */
  private async _reference(
    sha256: string,
    fileId: ObjectId,
    sizeBytes: number
  ): Promise<boolean> {
    for (;;) {
      const found = await this._contents.findOneAndUpdate(
        { _id: sha256 },
        { $inc: { refs: 1 } }
      );
      if (found) return false;
      try {
        await this._contents.insertOne({
          _id: sha256,
          fileId,
          sizeBytes,
          refs: 1
        });
        return true;
      } catch (error) {
        // Another writer inserted it meanwhile: count on theirs.
        if (!(error instanceof MongoServerError && error.code === 11000))
          throw error;
      }
    }
  }

  /** One reference less; the content goes with its last reference. */
  private async _release(sha256: string): Promise<void> {
    await this._contents.updateOne({ _id: sha256 }, { $inc: { refs: -1 } });
    const gone = await this._contents.findOneAndDelete({
      _id: sha256,
      refs: { $lte: 0 }
    });
    if (gone) await this._bucket.delete(gone.fileId).catch(() => undefined);
  }

  private get _bucket(): GridFSBucket {
    return new GridFSBucket(this._database.db, {
      bucketName: 'artifacts',
      chunkSizeBytes: 1024 * 1024
    });
  }

  private get _artifacts() {
    return this._database.collection<IArtifactDoc>('artifacts');
  }

  private get _contents() {
    return this._database.collection<IContentDoc>('artifact_contents');
  }

  private _database: MongoDatabase;
}
