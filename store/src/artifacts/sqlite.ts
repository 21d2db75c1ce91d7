import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Artifact, ArtifactCollection } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import {
  artifactDeleted,
  artifactEntry,
  checkArtifactName
} from './artifact-entry.js';
import type { IJobArtifacts } from './contract.js';
import { FileContents } from './file-contents.js';
import type { IIngestedContent } from './file-contents.js';
import { mediaTypeOf } from './media-type.js';

interface IArtifactRow {
  name: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
  description: string | null;
  deletedAt: string | null;
}

/**
 * {@link IJobArtifacts} of the embedded store: entries and reference
 * counts in SQLite (`artifacts`, `artifact_contents`), contents as files
 * under `contentsDir` ({@link FileContents}). A content's reference count
 * changes in the same `BEGIN IMMEDIATE` transaction as the entries that
 * use it, and its file is placed or trashed inside that transaction, so
 * that server and gateway processes sharing the folder never delete a
 * content another just referenced.
 */
export class SqliteJobArtifacts implements IJobArtifacts {
  constructor(database: SqliteDatabase, contentsDir: string) {
    this._database = database;
    this._contents = new FileContents(contentsDir);
    this._contents.recover(
      sha256 =>
        !!database
          .prepare('SELECT 1 FROM artifact_contents WHERE sha256 = ?')
          .get(sha256)
    );
  }

  async put(jobId: string, input: IJobArtifacts.INew): Promise<Artifact> {
    checkArtifactName(input.name);
    const database = this._database;
    if (!database.prepare('SELECT 1 FROM jobs WHERE id = ?').get(jobId)) {
      throw new JaxLabError('JOB_NOT_FOUND', `No job ${jobId}`);
    }
    const content = await this._contents.ingest(input.data);
    const entry = artifactEntry({
      name: input.name,
      contentType: input.contentType ?? mediaTypeOf(input.name),
      sizeBytes: content.sizeBytes,
      sha256: content.sha256,
      createdAt: new Date().toISOString(),
      description: input.description
    });
    const done: string[] = [];
    let placed = false;
    try {
      database.immediate(() => {
        placed = this._reference(content);
        const previous = database
          .prepare(
            'SELECT sha256, deletedAt FROM artifacts WHERE jobId = ? AND name = ?'
          )
          .get(jobId, entry.name) as IArtifactRow | undefined;
        database
          .prepare(
            `INSERT OR REPLACE INTO artifacts
               (jobId, name, contentType, sizeBytes, sha256, createdAt, description, deletedAt)
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`
          )
          .run(
            jobId,
            entry.name,
            entry.contentType,
            entry.sizeBytes,
            entry.sha256,
            entry.createdAt,
            entry.description ?? null
          );
        if (previous && !previous.deletedAt) {
          const trashed = this._release(previous.sha256);
          if (trashed) done.push(trashed);
        }
      });
    } catch (error) {
      // Rolled back: a content placed in this transaction is nobody's.
      if (placed)
        rmSync(this._contents.pathOf(content.sha256), { force: true });
      throw error;
    } finally {
      if (!placed) done.push(content.tempPath);
      await this._contents.remove(done);
    }
    return entry;
  }

  async list(jobId: string): Promise<Artifact[]> {
    const rows = this._database
      .prepare(
        `SELECT name, contentType, sizeBytes, sha256, createdAt, description, deletedAt
         FROM artifacts WHERE jobId = ? ORDER BY name`
      )
      .all(jobId) as IArtifactRow[];
    return rows.map(artifactEntry);
  }

  async open(
    jobId: string,
    name: string,
    range?: IJobArtifacts.IRange
  ): Promise<IJobArtifacts.IOpened | null> {
    const row = this._database
      .prepare(
        `SELECT name, contentType, sizeBytes, sha256, createdAt, description, deletedAt
         FROM artifacts WHERE jobId = ? AND name = ?`
      )
      .get(jobId, name) as IArtifactRow | undefined;
    if (!row) return null;
    if (row.deletedAt) throw artifactDeleted(jobId, name);
    const stream = await this._contents.open(row.sha256, range);
    if (!stream) throw artifactDeleted(jobId, name);
    return { artifact: artifactEntry(row), stream };
  }

  openContent(
    sha256: string,
    range?: IJobArtifacts.IRange
  ): Promise<Readable | null> {
    return this._contents.open(sha256, range);
  }

  async setCollection(
    jobId: string,
    collection: ArtifactCollection
  ): Promise<void> {
    this._database
      .prepare(
        'INSERT OR REPLACE INTO artifact_collections (jobId, doc) VALUES (?, ?)'
      )
      .run(jobId, JSON.stringify(collection));
  }

  async getCollection(jobId: string): Promise<ArtifactCollection | null> {
    const row = this._database
      .prepare('SELECT doc FROM artifact_collections WHERE jobId = ?')
      .get(jobId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ArtifactCollection) : null;
  }

  async deleteFinishedBefore(projectId: string, cutoff: Date): Promise<number> {
    const database = this._database;
    const trashed: string[] = [];
    const deleted = database.immediate(() => {
      const rows = database
        .prepare(
          `SELECT a.jobId, a.name, a.sha256 FROM artifacts a JOIN jobs j ON j.id = a.jobId
           WHERE j.projectId = ? AND j.finishedAt IS NOT NULL AND j.finishedAt < ?
             AND a.deletedAt IS NULL`
        )
        .all(projectId, cutoff.toISOString()) as {
        jobId: string;
        name: string;
        sha256: string;
      }[];
      const now = new Date().toISOString();
      for (const row of rows) {
        database
          .prepare(
            'UPDATE artifacts SET deletedAt = ? WHERE jobId = ? AND name = ?'
          )
          .run(now, row.jobId, row.name);
        const path = this._release(row.sha256);
        if (path) trashed.push(path);
      }
      return rows.length;
    });
    await this._contents.remove(trashed);
    return deleted;
  }

  /** One more reference to `content`; true when its file was placed now. */
  private _reference(content: IIngestedContent): boolean {
    const database = this._database;
    const { changes } = database
      .prepare('UPDATE artifact_contents SET refs = refs + 1 WHERE sha256 = ?')
      .run(content.sha256);
    if (changes > 0) return false;
    this._contents.place(content);
    database
      .prepare(
        'INSERT INTO artifact_contents (sha256, sizeBytes, refs) VALUES (?, ?, 1)'
      )
      .run(content.sha256, content.sizeBytes);
    return true;
  }

  /** One reference less; the trashed file when it was the last. */
  private _release(sha256: string): string | undefined {
    const database = this._database;
    database
      .prepare('UPDATE artifact_contents SET refs = refs - 1 WHERE sha256 = ?')
      .run(sha256);
    const { changes } = database
      .prepare('DELETE FROM artifact_contents WHERE sha256 = ? AND refs <= 0')
      .run(sha256);
    return changes > 0 ? this._contents.trash(sha256) : undefined;
  }

  private _database: SqliteDatabase;
  private _contents: FileContents;
}
