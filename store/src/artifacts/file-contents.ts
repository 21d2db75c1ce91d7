import { randomUUID } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  existsSync
} from 'node:fs';
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Readable as ReadableStream } from 'node:stream';
import { HashingSource } from './content-hash.js';
import type { IJobArtifacts } from './contract.js';

/** A content written to a temporary file, hashed, not yet in place. */
export interface IIngestedContent {
  tempPath: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Content-addressed files under one folder: `<dir>/<sha[0:2]>/<sha256>`.
 * Contents arrive in `tmp/` (streamed and hashed) and are renamed into
 * place; deleted ones go to `trash/` first, so that the database
 * transaction that decided the deletion can still be rolled back — a
 * crash in between leaves the file in trash, and {@link FileContents.recover}
 * puts back whatever the database still references.
 */
export class FileContents {
  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, 'trash'), { recursive: true, mode: 0o700 });
  }

  readonly dir: string;

  /** Streams `data` into a temporary file while hashing it. */
  async ingest(
    data: Uint8Array | AsyncIterable<Uint8Array>
  ): Promise<IIngestedContent> {
    const tempPath = join(this.dir, 'tmp', randomUUID());
    const source = new HashingSource(data);
    try {
      await pipeline(
        ReadableStream.from(source.chunks(), { objectMode: false }),
        createWriteStream(tempPath, { mode: 0o600, highWaterMark: 1 << 20 })
      );
    } catch (error) {
      await fs.rm(tempPath, { force: true });
      throw error;
    }
    return { tempPath, sha256: source.sha256(), sizeBytes: source.size() };
  }

  /** Where content `sha256` lives. */
  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Moves an ingested file into place (synchronously: inside a transaction). */
  place(content: IIngestedContent): void {
    mkdirSync(join(this.dir, content.sha256.slice(0, 2)), { recursive: true });
    renameSync(content.tempPath, this.pathOf(content.sha256));
  }

  /** Moves content `sha256` to the trash (synchronously: inside a transaction); returns its trash path. */
  trash(sha256: string): string | undefined {
    const to = join(this.dir, 'trash', `${sha256}.${randomUUID()}`);
    try {
      renameSync(this.pathOf(sha256), to);
      return to;
    } catch {
      return undefined;
    }
  }

  /** Removes files (temporary or trashed) for good. */
  async remove(paths: Iterable<string>): Promise<void> {
    for (const path of paths) await fs.rm(path, { force: true });
  }

  /**
   * After a crash: trashed files whose content is still referenced go back
   * in place, the rest and leftover temporary files are removed.
   */
  recover(isReferenced: (sha256: string) => boolean): void {
    for (const name of readdirSync(join(this.dir, 'trash'))) {
      const path = join(this.dir, 'trash', name);
      const sha256 = name.split('.')[0];
      if (isReferenced(sha256) && !existsSync(this.pathOf(sha256))) {
        mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true });
        renameSync(path, this.pathOf(sha256));
      } else {
        rmSync(path, { force: true });
      }
    }
  }

  /** Content `sha256` (or a range of it) as a stream; null when the file is gone. */
  async open(
    sha256: string,
    range?: IJobArtifacts.IRange
  ): Promise<Readable | null> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(sha256), 'r');
    } catch {
      return null;
    }
    return handle.createReadStream({
      start: range?.start,
      end: range?.end,
      highWaterMark: 1 << 20
    });
  }
}
