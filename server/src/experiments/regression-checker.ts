import type { Baseline, Job, RegressionVerdict } from '@jaxlab/schemas';
import { isFinalJobStatus } from '@jaxlab/schemas';
import type { IBaselines, IJobs } from '@jaxlab/store';
import { PeriodicTask } from '../periodic/periodic-task.js';
import { checkRegression } from './regression-check.js';

/** Options of {@link RegressionChecker}. */
export interface IRegressionCheckerOptions {
  jobs: IJobs;
  baselines: IBaselines;
  /** How often finished runs are looked for (default 2000 ms). */
  intervalMs?: number;
  /** Clock (tests inject one). */
  now?: () => Date;
  /** Where a failed check is reported (default console.error). */
  log?: (message: string, error?: unknown) => void;
}

/** Finished runs a background pass looks at per project, newest first. */
const RECENT_RUNS = 200;

/**
 * Checks every finished run of a project that has a baseline, and stores
 * the verdict with the run: in the background every `intervalMs` (the
 * newest finished runs of each such project), at once for every finished
 * run when a baseline is set, and on demand when a run's verdict is asked
 * for before the background got to it. A verdict against an older
 * baseline is checked again. Owns its timer; `dispose()` is idempotent.
 */
export class RegressionChecker {
  constructor(options: IRegressionCheckerOptions) {
    this._options = options;
    this._task = new PeriodicTask({
      run: () => this.checkOnce(),
      intervalMs: options.intervalMs ?? 2000,
      failureMessage: 'Regression check failed:',
      log: options.log
    });
  }

  /**
   * The run's verdict against its project's current baseline (checked and
   * stored now if it had none, or one against an older baseline); null
   * while it runs, or when its project has no baseline.
   */
  async verdictFor(owner: string, job: Job): Promise<RegressionVerdict | null> {
    if (!job.projectId || !isFinalJobStatus(job.status)) return null;
    const baseline = await this._options.baselines.get(job.projectId, owner);
    return baseline ? this._check(baseline, job) : null;
  }

  /**
   * Checks the project's finished runs (at most `limit`, newest first)
   * against its baseline; answers how many verdicts were stored.
   */
  async checkProject(
    owner: string,
    baseline: Baseline,
    limit = Number.POSITIVE_INFINITY
  ): Promise<number> {
    let stored = 0;
    let seen = 0;
    let cursor: string | undefined;
    do {
      const page = await this._options.jobs.list({
        owner,
        projectId: baseline.projectId,
        status: ['COMPLETED', 'FAILED', 'CANCELLED'],
        limit: 200,
        cursor
      });
      for (const job of page.items) {
        if (seen++ >= limit) return stored;
        if (job.regression?.baselineSetAt === baseline.createdAt) continue;
        await this._check(baseline, job);
        stored++;
      }
      cursor = page.nextCursor;
    } while (cursor);
    return stored;
  }

  /** One background pass over every project with a baseline. */
  async checkOnce(): Promise<number> {
    let stored = 0;
    for (const { owner, baseline } of await this._options.baselines.listAll()) {
      stored += await this.checkProject(owner, baseline, RECENT_RUNS);
    }
    return stored;
  }

  /** Checks now and then every `intervalMs` until disposed. */
  start(): this {
    this._task.start();
    return this;
  }

  /** Stops the timer and waits for a pass in progress. Idempotent. */
  dispose(): Promise<void> {
    return this._task.dispose();
  }

  private async _check(
    baseline: Baseline,
    job: Pick<Job, 'id' | 'series' | 'metrics' | 'regression'>
  ): Promise<RegressionVerdict> {
    if (job.regression?.baselineSetAt === baseline.createdAt) {
      return job.regression;
    }
    const now = (this._options.now ?? (() => new Date()))();
    const verdict = checkRegression(baseline, job, now);
    await this._options.jobs.setRegression(job.id, verdict);
    return verdict;
  }

  private _options: IRegressionCheckerOptions;
  private _task: PeriodicTask;
}
