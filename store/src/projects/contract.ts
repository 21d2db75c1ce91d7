import type { Project, ProjectWrite } from '@jaxlab/schemas';

/**
 * Projects (README, main.py, requirements, other files, designated
 * functions, limits) per owner. Ownership: every method but `listWithRetention` matches on
 * the owner and answers `null`/`false` for another user's project, exactly
 * as for a missing one.
 */
export interface IProjects {
  /** Writes a new project: the input over the defaults. */
  create(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project>;

  get(id: string, owner: string): Promise<Project | null>;

  /** The owner's projects, oldest first. */
  list(owner: string): Promise<Project[]>;

  /** Projects of every owner with a retention setting (for the sweeper). */
  listWithRetention(): Promise<Project[]>;

  /**
   * Changes the project atomically: `change` receives the stored project
   * and answers the fields to set, and no other change lands between that
   * read and the write. `change` must be synchronous and free of side
   * effects: a backend may call it again when another change won the race.
   * What it throws is thrown here, and nothing is written. Null when
   * missing or not the owner's.
   */
  modify(
    id: string,
    owner: string,
    change: (current: Project) => ProjectWrite
  ): Promise<Project | null>;

  /** Deletes the project; its jobs stay (projectId kept). */
  delete(id: string, owner: string): Promise<boolean>;
}
