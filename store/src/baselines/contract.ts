import type { Baseline } from '@jaxlab/schemas';

/**
 * Regression baselines: at most one per project, set by the project's owner
 * (setting another replaces it). The verdicts of runs checked against one
 * are stored with the runs ({@link IJobs.setRegression}).
 */
export interface IBaselines {
  /** Sets (or replaces) the project's baseline. */
  set(owner: string, baseline: Baseline): Promise<Baseline>;

  /** The project's baseline, or null when none (or not the owner's). */
  get(projectId: string, owner: string): Promise<Baseline | null>;

  /** Removes the project's baseline; whether there was one. */
  remove(projectId: string, owner: string): Promise<boolean>;

  /** Every baseline with its owner, for the background check of new runs. */
  listAll(): Promise<{ owner: string; baseline: Baseline }[]>;
}
