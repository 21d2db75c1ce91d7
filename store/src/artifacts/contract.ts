import type { Readable } from 'node:stream';
import type { Artifact, ArtifactCollection } from '@jaxlab/schemas';

/**
 * Files kept with a run: what it wrote under outputs/ (the gateway collects
 * them when the call ends) and files the gateway keeps itself (a profile
 * trace). Content-addressed: each distinct content is stored once, by its
 * SHA-256, and shared by every artifact that has it; it is deleted when
 * the last of them is. SQLite keeps the contents as files under
 * `<data>/artifacts/`, MongoDB in GridFS (bucket `artifacts`).
 *
 * These methods take a job id only: callers check ownership through
 * `IJobs.get` first.
 */
export interface IJobArtifacts {
  /**
   * Keeps `input.data` (streamed: memory stays bounded whatever its size)
   * as the job's artifact `input.name`, replacing one of that name.
   *
   * @throws JaxLabError `INVALID_REQUEST` for a bad name, `JOB_NOT_FOUND`.
   */
  put(jobId: string, input: IJobArtifacts.INew): Promise<Artifact>;

  /** The job's artifacts by name, those retention deleted included (with `deletedAt`). */
  list(jobId: string): Promise<Artifact[]>;

  /**
   * One artifact's content as a stream, or only bytes `range.start` to
   * `range.end` (inclusive); null when the job has no such artifact.
   *
   * @throws JaxLabError `ARTIFACT_DELETED` when retention deleted it.
   */
  open(
    jobId: string,
    name: string,
    range?: IJobArtifacts.IRange
  ): Promise<IJobArtifacts.IOpened | null>;

  /**
   * The content of `sha256` as a stream (any job's: callers found the
   * hash through an artifact they may see), or null when it is gone.
   */
  openContent(
    sha256: string,
    range?: IJobArtifacts.IRange
  ): Promise<Readable | null>;

  /** Records what the collection of the job's outputs/ folder did. */
  setCollection(jobId: string, collection: ArtifactCollection): Promise<void>;

  /** What the collection did, or null before it ran. */
  getCollection(jobId: string): Promise<ArtifactCollection | null>;

  /**
   * Retention: deletes the content of the artifacts of the project's jobs
   * that finished before `cutoff`; their entries stay, with `deletedAt`.
   * Resolves with the number of artifacts deleted.
   */
  deleteFinishedBefore(projectId: string, cutoff: Date): Promise<number>;
}

/** Option types of {@link IJobArtifacts}. */
export namespace IJobArtifacts {
  /** An artifact to keep. */
  export interface INew {
    /** Its path relative to outputs/ (schema `artifact`'s name). */
    name: string;
    /** Media type (default: from the name's extension). */
    contentType?: string;
    /** The content: bytes, or a stream of them. */
    data: Uint8Array | AsyncIterable<Uint8Array>;
    description?: string;
  }

  /** Bytes `start` to `end`, both inclusive (HTTP Range semantics). */
  export interface IRange {
    start: number;
    end: number;
  }

  /** An artifact opened for reading. */
  export interface IOpened {
    artifact: Artifact;
    /** The content, or the range asked for; the reader must consume or destroy it. */
    stream: Readable;
  }
}
