import type { IJobArtifacts, IJobEvents, IProjects } from '@jaxlab/store';
import { PeriodicTask } from '../periodic/periodic-task.js';

const DAY_MS = 24 * 3600 * 1000;

/** Options of {@link RetentionSweeper}. */
export interface IRetentionSweeperOptions {
  /** Which projects keep logs for a limited time. */
  projects: IProjects;
  /** Where their jobs' log chunks are deleted. */
  events: IJobEvents;
  /** Where their jobs' artifacts are deleted (entries stay, with deletedAt). */
  artifacts?: IJobArtifacts;
  /** How often to sweep (default: hourly). */
  intervalMs?: number;
  /** Clock (injectable for tests). */
  now?: () => Date;
  /** Where sweep failures are reported (default: console.error). */
  log?: (message: string, error?: unknown) => void;
}

/** What one sweep did. */
export interface IRetentionSweep {
  /** Projects with a retention setting that were looked at. */
  projects: number;
  /** Jobs whose log chunks were deleted. */
  jobs: number;
  /** Artifacts whose content was deleted. */
  artifacts: number;
}

/**
 * Retention: for every project with `logRetentionDays`, deletes the log
 * chunks and the artifacts' contents of its jobs that finished more than
 * that many days ago. The job summary, status, metrics and log tail stay
 * (see `IJobEvents.deleteLogsFinishedBefore`), and so do the artifacts'
 * entries — name, size, type, sha256 — marked `deletedAt`. Owns its timer; `dispose()` stops
 * it and is idempotent.
 */
export class RetentionSweeper {
  constructor(options: IRetentionSweeperOptions) {
    this._options = options;
    this._task = new PeriodicTask({
      run: () => this.sweepOnce(),
      intervalMs: options.intervalMs ?? 3600_000,
      failureMessage: 'Log retention sweep failed:',
      log: options.log
    });
  }

  /** Sweeps once now. */
  async sweepOnce(): Promise<IRetentionSweep> {
    const now = (this._options.now ?? (() => new Date()))();
    const projects = await this._options.projects.listWithRetention();
    let jobs = 0;
    let artifacts = 0;
    for (const p of projects) {
      if (typeof p.logRetentionDays !== 'number' || p.logRetentionDays < 1)
        continue;
      const cutoff = new Date(now.getTime() - p.logRetentionDays * DAY_MS);
      jobs += await this._options.events.deleteLogsFinishedBefore(p.id, cutoff);
      artifacts +=
        (await this._options.artifacts?.deleteFinishedBefore(p.id, cutoff)) ??
        0;
    }
    return { projects: projects.length, jobs, artifacts };
  }

  /** Sweeps now and then every `intervalMs` until disposed. */
  start(): this {
    this._task.start();
    return this;
  }

  /** Stops the timer and waits for a sweep in progress. Idempotent. */
  dispose(): Promise<void> {
    return this._task.dispose();
  }

  private _options: IRetentionSweeperOptions;
  private _task: PeriodicTask;
}

/**
 * Starts a {@link RetentionSweeper}; call `dispose()` on shutdown.
 *
 * @example
 * ```ts
 * const sweeper = startRetentionSweeper({ projects: store.projects, events: store.events });
 * // on shutdown:
 * await sweeper.dispose();
 * ```
 */
export function startRetentionSweeper(
  options: IRetentionSweeperOptions
): RetentionSweeper {
  return new RetentionSweeper(options).start();
}
