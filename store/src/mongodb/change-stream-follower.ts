import { setTimeout as sleep } from 'node:timers/promises';
import { MongoServerError } from 'mongodb';
import type {
  ChangeStream,
  ChangeStreamDocument,
  Collection,
  ResumeToken
} from 'mongodb';
import type { IEventDoc } from './event-docs.js';

/**
 * Pause after an empty batch. A real server has already waited up to
 * `maxAwaitTimeMS` (1 s) for a change by then; stand-ins that answer at
 * once (mongo-java-server) would otherwise be asked thousands of times a
 * second.
 */
const EMPTY_BATCH_PAUSE_MS = 10;

/**
 * Server errors that mean "this resume token cannot be resumed from":
 * InvalidResumeToken, ChangeStreamFatalError, ChangeStreamHistoryLost.
 */
const LOST_RESUME_TOKEN_CODES = new Set([260, 280, 286]);

/** First wait before reopening a broken stream; it doubles up to the max. */
const REOPEN_FIRST_MS = 100;
const REOPEN_MAX_MS = 5000;

/**
 * Follows inserts into the events collection through a change stream and
 * reports each inserted event's job id. When the stream breaks beyond what
 * the driver retries by itself (a longer outage, a failover), it reports
 * the interruption, then reopens the stream after the resume token of the
 * last change it saw, again and again (backing off up to 5 s) until it
 * succeeds or is disposed; the reopened stream first replays the inserts
 * made meanwhile.
 *
 * Without a usable token (nothing seen yet on servers that send no
 * post-batch token, such as mongo-java-server; or one the server no longer
 * has, which it refuses and the follower then drops) the reopened stream
 * starts at the time of reopening, so the owner must treat `onResumed` as
 * "anything may have changed".
 */
export class ChangeStreamFollower {
  constructor(options: ChangeStreamFollower.IOptions) {
    this._options = options;
  }

  /** Whether a stream is open now (false while reopening after a break). */
  get isFollowing(): boolean {
    return this._stream !== null;
  }

  /** The resume token of the last change seen, if any. */
  get resumeToken(): ResumeToken | undefined {
    return this._resumeToken;
  }

  /**
   * Opens the stream and starts following it. Resolves false, leaving
   * nothing open, when the server cannot serve change streams (a standalone
   * server, no oplog).
   */
  async start(): Promise<boolean> {
    try {
      await this._open();
    } catch {
      return false;
    }
    void this._follow();
    return true;
  }

  /** Closes the stream and stops reopening it. Idempotent. */
  async dispose(): Promise<void> {
    this._isDisposed = true;
    const stream = this._stream;
    this._stream = null;
    await stream?.close().catch(() => undefined);
  }

  private async _open(): Promise<void> {
    const stream = this._options.collection.watch<
      IEventDoc,
      ChangeStreamDocument<IEventDoc>
    >(
      [
        { $match: { operationType: 'insert' } },
        { $project: { operationType: 1, 'fullDocument.jobId': 1 } }
      ],
      this._resumeToken ? { resumeAfter: this._resumeToken } : {}
    );
    try {
      // watch() is lazy: the first getMore shows whether the server serves
      // change streams, and may already carry (replayed) changes.
      const first = await stream.tryNext();
      if (first) this._deliver(first, stream);
      else this._resumeToken = stream.resumeToken ?? this._resumeToken;
    } catch (error) {
      await stream.close().catch(() => undefined);
      throw error;
    }
    if (this._isDisposed) {
      await stream.close().catch(() => undefined);
      return;
    }
    this._stream = stream;
  }

  private async _follow(): Promise<void> {
    while (this._stream && !this._isDisposed) {
      const stream = this._stream;
      try {
        while (!this._isDisposed) {
          const change = await stream.tryNext();
          if (change) {
            this._deliver(change, stream);
          } else {
            this._resumeToken = stream.resumeToken ?? this._resumeToken;
            await sleep(EMPTY_BATCH_PAUSE_MS);
          }
        }
      } catch {
        // The driver already retried a resumable error once; reopen below.
      }
      if (this._isDisposed) return;
      this._stream = null;
      await stream.close().catch(() => undefined);
      this._options.onInterrupted();
      for (let delay = REOPEN_FIRST_MS; !this._isDisposed;) {
        await sleep(delay);
        if (this._isDisposed) return;
        try {
          await this._open();
          break;
        } catch (error) {
          // The token fell off the oplog (or was never valid there): start
          // afresh; onResumed makes every watcher re-read anyway.
          if (isLostResumeToken(error)) this._resumeToken = undefined;
          delay = Math.min(delay * 2, REOPEN_MAX_MS);
        }
      }
      if (this._stream) this._options.onResumed();
    }
  }

  private _deliver(
    change: ChangeStreamDocument<IEventDoc>,
    stream: ChangeStream<IEventDoc>
  ): void {
    this._resumeToken = stream.resumeToken ?? change._id;
    if (change.operationType === 'insert') {
      this._options.onInsert(change.fullDocument.jobId);
    }
  }

  private _isDisposed = false;
  private _options: ChangeStreamFollower.IOptions;
  private _resumeToken: ResumeToken | undefined;
  private _stream: ChangeStream<IEventDoc> | null = null;
}

/** Option types of {@link ChangeStreamFollower}. */
export namespace ChangeStreamFollower {
  export interface IOptions {
    /** The events collection to follow. */
    collection: Collection<IEventDoc>;
    /** An event of this job was inserted (by any process). */
    onInsert(jobId: string): void;
    /** The stream broke; changes may go unreported until `onResumed`. */
    onInterrupted(): void;
    /** A stream is open again, replaying changes after the last token. */
    onResumed(): void;
  }
}

function isLostResumeToken(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    typeof error.code === 'number' &&
    LOST_RESUME_TOKEN_CODES.has(error.code)
  );
}
