import type { Collection } from 'mongodb';
import { JaxLabError } from '@jaxlab/schemas';
import { SeqWaiters } from '../events/seq-waiters.js';
import { ChangeStreamFollower } from './change-stream-follower.js';
import type { IEventDoc } from './event-docs.js';
import type { IJobDoc } from './job-docs.js';

/** Tail mode: how often waiting watchers' jobs are checked for new events. */
const TAIL_POLL_MS = 10;

/** Longest a watcher sleeps without re-reading, against lost wake-ups. */
const WATCH_SAFETY_MS = 1000;

/**
 * Wake-ups of MongoDB event watchers. Appends in this process wake their
 * job's watchers at once ({@link MongoAppendSignal.notify}). Other
 * processes' appends arrive through a change stream on the events
 * collection (see {@link ChangeStreamFollower}); without one, and while a
 * broken one is being reopened, waiting watchers' jobs are polled for their
 * `lastSeq` every 10 ms (the indexed-sequence tail).
 *
 * In `auto` mode the change stream opens when a watcher first waits, not
 * at connect: a process that never watches (a gateway, which only writes)
 * keeps no change stream cursor busy on the server.
 */
export class MongoAppendSignal {
  constructor(options: MongoAppendSignal.IOptions) {
    this._options = options;
  }

  /** Whether other processes' appends arrive by change stream right now. */
  get isFollowingChangeStream(): boolean {
    return this._follower?.isFollowing ?? false;
  }

  /**
   * Starts the change stream when `liveEvents` is `change-stream` (in
   * `auto` mode the first wait does).
   *
   * @throws JaxLabError `STORE_UNAVAILABLE` when `liveEvents` is
   *   `change-stream` and the server cannot serve one.
   */
  async start(): Promise<void> {
    if (this._options.liveEvents !== 'change-stream') return;
    if (!(await this._follow())) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        'This MongoDB deployment cannot serve change streams.',
        {
          hint: 'Run MongoDB as a replica set (one node will do), or leave liveEvents at auto.'
        }
      );
    }
  }

  /** Events of `jobId` were appended in this process. */
  notify(jobId: string): void {
    this._waiters.wake(jobId);
  }

  /**
   * Resolves when `jobId` may have events after `seenSeq` (its `lastSeq`
   * as the caller last read it), when `signal` aborts, on dispose, or after
   * a safety timeout (the caller re-reads either way).
   */
  async wait(
    jobId: string,
    seenSeq: number,
    signal: AbortSignal | undefined
  ): Promise<void> {
    const waiting = this._waiters.wait(jobId, signal, WATCH_SAFETY_MS);
    if (this._options.liveEvents === 'auto' && !this._followerStarting) {
      this._followerStarting = this._follow().catch(() => false);
    }
    if (this.isFollowingChangeStream) {
      // A change that arrived between the caller's read and the wait above
      // woke nobody: look once more now that the waiter is registered.
      const doc = await this._options
        .jobs()
        .findOne({ _id: jobId }, { projection: { lastSeq: 1 } })
        .catch(() => null);
      if (!doc || doc.lastSeq > seenSeq) this._waiters.wake(jobId);
    } else {
      const known = this._seenSeq.get(jobId);
      this._seenSeq.set(jobId, Math.min(known ?? seenSeq, seenSeq));
      this._startPolling();
    }
    await waiting;
  }

  /** Stops the stream and the poll and releases every waiter. Idempotent. */
  async dispose(): Promise<void> {
    this._isDisposed = true;
    if (this._pollTimer) clearTimeout(this._pollTimer);
    this._pollTimer = null;
    this._waiters.wakeAll();
    await this._followerStarting;
    await this._follower?.dispose();
  }

  /** Opens the change stream; false when the server cannot serve one. */
  private async _follow(): Promise<boolean> {
    const follower = new ChangeStreamFollower({
      collection: this._options.events(),
      onInsert: jobId => this._waiters.wake(jobId),
      // Waiting watchers re-enter wait() and poll the tail meanwhile.
      onInterrupted: () => this._waiters.wakeAll(),
      onResumed: () => this._waiters.wakeAll()
    });
    if (!(await follower.start())) return false;
    if (this._isDisposed) {
      await follower.dispose();
      return true;
    }
    this._follower = follower;
    // Watchers waiting on the tail meanwhile wait on the stream from now.
    this._waiters.wakeAll();
    return true;
  }

  /** One query per tick for every job someone waits on. */
  private _startPolling(): void {
    if (this._pollTimer || this._isDisposed) return;
    const tick = async (): Promise<void> => {
      this._pollTimer = null;
      const ids = this._waiters.jobIds;
      // Once the stream follows, its watchers no longer need the tail.
      if (
        ids.length === 0 ||
        this._isDisposed ||
        this.isFollowingChangeStream
      ) {
        this._seenSeq.clear();
        return;
      }
      try {
        const docs = await this._options
          .jobs()
          .find({ _id: { $in: ids } }, { projection: { lastSeq: 1 } })
          .toArray();
        for (const doc of docs) {
          const seen = this._seenSeq.get(doc._id);
          if (seen === undefined || doc.lastSeq > seen) {
            this._seenSeq.delete(doc._id);
            this._waiters.wake(doc._id);
          }
        }
      } catch {
        // Transient (e.g. a failover): the next tick tries again.
      }
      if (!this._isDisposed && !this._waiters.isEmpty) {
        this._pollTimer = setTimeout(() => void tick(), TAIL_POLL_MS);
        this._pollTimer.unref();
      }
    };
    this._pollTimer = setTimeout(() => void tick(), TAIL_POLL_MS);
    this._pollTimer.unref();
  }

  private _follower: ChangeStreamFollower | null = null;
  private _followerStarting: Promise<boolean> | null = null;
  private _isDisposed = false;
  private _options: MongoAppendSignal.IOptions;
  private _pollTimer: NodeJS.Timeout | null = null;
  private _seenSeq = new Map<string, number>();
  private _waiters = new SeqWaiters();
}

/** Option types of {@link MongoAppendSignal}. */
export namespace MongoAppendSignal {
  export interface IOptions {
    jobs(): Collection<IJobDoc>;
    events(): Collection<IEventDoc>;
    /** See `IOpenStoreOptions.IMongoDb.liveEvents`. */
    liveEvents: 'auto' | 'change-stream' | 'tail';
  }
}
