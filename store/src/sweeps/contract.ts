import type { Sweep } from '@jaxlab/schemas';

/**
 * Sweeps and their materialised trials. Every change goes through
 * {@link ISweeps.mutate}, atomic against other processes, so that two
 * schedulers (or a scheduler and a user's pause) never lose each other's
 * writes.
 */
export interface ISweeps {
  /** Stores a new sweep with what each trial's job is made from. */
  create(sweep: Sweep, template: ISweeps.ITemplate): Promise<Sweep>;

  /** The sweep, or null when missing or not the owner's (owner omitted: any). */
  get(id: string, owner?: string): Promise<Sweep | null>;

  /** What the sweep's trials are made from, or null when missing. */
  template(id: string): Promise<ISweeps.ITemplate | null>;

  /** The owner's sweeps (of one project when given), newest first. */
  list(owner: string, projectId?: string): Promise<Sweep[]>;

  /** Ids of every RUNNING or PAUSED sweep (any owner), for the scheduler. */
  listActive(): Promise<string[]>;

  /**
   * Reads the sweep, applies `change` (a pure function answering the new
   * sweep, or null to leave it as it is) and writes the result, atomically:
   * a concurrent write makes it read and apply again. Answers the sweep as
   * stored afterwards, or null when missing.
   */
  mutate(
    id: string,
    change: (sweep: Sweep) => Sweep | null
  ): Promise<Sweep | null>;
}

/** Types of {@link ISweeps}. */
export namespace ISweeps {
  /** The snapshot every trial's job is created from. */
  export interface ITemplate {
    code: string;
    requirements: string;
    timeLimitMs?: number;
  }
}
