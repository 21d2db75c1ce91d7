import type { Sweep, SweepTrial, TrialState } from '@jaxlab/schemas';

/** Trial states that are final: the trial's outcome is known. */
export const FINAL_TRIAL_STATES: readonly TrialState[] = [
  'COMPLETED',
  'FAILED',
  'STOPPED'
];

/** The tag every trial's job carries: `sweep:<sweep id>`. */
export function sweepTag(sweepId: string): string {
  return `sweep:${sweepId}`;
}

/**
 * The tag of one trial's job, `sweep:<sweep id>:<index>`: how a restarted
 * scheduler finds the job of a trial it was creating when it stopped.
 */
export function trialTag(sweepId: string, index: number): string {
  return `sweep:${sweepId}:${index}`;
}

/**
 * The best completed trial by the sweep's target direction (the earliest
 * on a tie); failed and stopped trials have no value and never count.
 */
export function bestTrial(
  sweep: Pick<Sweep, 'target' | 'trials'>
): Sweep['best'] {
  let best: SweepTrial | undefined;
  for (const trial of sweep.trials) {
    if (trial.state !== 'COMPLETED' || trial.value === undefined) continue;
    if (
      !best ||
      (sweep.target.direction === 'min'
        ? trial.value < best.value!
        : trial.value > best.value!)
    ) {
      best = trial;
    }
  }
  return best
    ? { index: best.index, jobId: best.jobId!, value: best.value! }
    : undefined;
}

/**
 * The sweep with trial `index` changed by `patch` when it is in state
 * `from` (and, given, has job `jobId`), `best` recomputed and the sweep
 * COMPLETED once every trial is final; null when the trial moved on (a
 * concurrent writer got there first).
 */
export function withTrial(
  sweep: Sweep,
  index: number,
  from: TrialState,
  patch: Partial<SweepTrial>,
  now: Date,
  jobId?: string
): Sweep | null {
  const trial = sweep.trials[index];
  if (!trial || trial.state !== from) return null;
  if (jobId !== undefined && trial.jobId !== jobId) return null;
  const trials = sweep.trials.map(t =>
    t.index === index ? { ...t, ...patch } : t
  );
  const next: Sweep = { ...sweep, trials, updatedAt: now.toISOString() };
  const best = bestTrial(next);
  if (best) next.best = best;
  else delete next.best;
  if (
    next.status === 'RUNNING' &&
    trials.every(t => FINAL_TRIAL_STATES.includes(t.state))
  ) {
    next.status = 'COMPLETED';
  }
  return next;
}
