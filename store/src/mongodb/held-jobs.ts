import type { IJobEventState } from '../events/fold-job-events.js';

/** Jobs remembered at most (a host holds a few dozen at once). */
const MAX_HELD_JOBS = 1000;

/** What a lease holder last wrote of one of its jobs. */
export interface IHeldJob {
  hostId: string;
  owner: string;
  /** The fields events fold into, `lastSeq` among them, as written. */
  state: IJobEventState;
}

/**
 * What this process last wrote of the jobs it holds the lease of, so that
 * a lease holder's append needs no read before its write: the write is
 * guarded on the remembered `lastSeq` (every other writer of those fields,
 * the sweeper, a cancel or a requeue, moves `lastSeq`), and when the guard
 * fails the append reads the job afresh. Final jobs are forgotten.
 */
export class HeldJobs {
  /** The job as last written by `hostId`, if remembered. */
  get(jobId: string, hostId: string): IHeldJob | undefined {
    const held = this._jobs.get(jobId);
    return held?.hostId === hostId ? held : undefined;
  }

  /** Remembers what was just written (forgets it once final). */
  set(jobId: string, held: IHeldJob): void {
    this._jobs.delete(jobId);
    if (held.state.finishedAt !== undefined) return;
    this._jobs.set(jobId, held);
    if (this._jobs.size > MAX_HELD_JOBS) {
      this._jobs.delete(this._jobs.keys().next().value!);
    }
  }

  forget(jobId: string): void {
    this._jobs.delete(jobId);
  }

  private _jobs = new Map<string, IHeldJob>();
}
