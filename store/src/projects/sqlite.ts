import type { Project, ProjectWrite } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IProjects } from './contract.js';
import { newProject, patchProject, storedProject } from './new-project.js';

/**
 * {@link IProjects} on the embedded SQLite file: the project as a JSON
 * document, with owner and retention as columns to query on.
 */
export class SqliteProjects implements IProjects {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async create(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project> {
    const project = newProject(owner, input);
    this._database
      .prepare(
        `INSERT INTO projects (id, owner, logRetentionDays, createdAt, doc)
         VALUES (?, ?, ?, ?, ?)`
      )
      .run(
        project.id,
        owner,
        project.logRetentionDays ?? null,
        project.createdAt,
        JSON.stringify(project)
      );
    return project;
  }

  async get(id: string, owner: string): Promise<Project | null> {
    const row = this._database
      .prepare('SELECT doc FROM projects WHERE id = ? AND owner = ?')
      .get(id, owner) as { doc: string } | undefined;
    return row ? parseDoc(row.doc) : null;
  }

  async list(owner: string): Promise<Project[]> {
    const rows = this._database
      .prepare(
        'SELECT doc FROM projects WHERE owner = ? ORDER BY createdAt, id'
      )
      .all(owner) as { doc: string }[];
    return rows.map(row => parseDoc(row.doc));
  }

  async listWithRetention(): Promise<Project[]> {
    const rows = this._database
      .prepare(
        `SELECT doc FROM projects WHERE logRetentionDays IS NOT NULL
         ORDER BY createdAt, id`
      )
      .all() as { doc: string }[];
    return rows.map(row => parseDoc(row.doc));
  }

  async modify(
    id: string,
    owner: string,
    change: (current: Project) => ProjectWrite
  ): Promise<Project | null> {
    const database = this._database;
    return database.immediate(() => {
      const current = database
        .prepare('SELECT doc FROM projects WHERE id = ? AND owner = ?')
        .get(id, owner) as { doc: string } | undefined;
      if (!current) return null;
      const stored = parseDoc(current.doc);
      const project = patchProject(stored, change(stored), new Date());
      database
        .prepare(
          'UPDATE projects SET logRetentionDays = ?, doc = ? WHERE id = ?'
        )
        .run(project.logRetentionDays ?? null, JSON.stringify(project), id);
      return project;
    });
  }

  async delete(id: string, owner: string): Promise<boolean> {
    const result = this._database
      .prepare('DELETE FROM projects WHERE id = ? AND owner = ?')
      .run(id, owner);
    return result.changes > 0;
  }

  private _database: SqliteDatabase;
}

function parseDoc(doc: string): Project {
  return storedProject(JSON.parse(doc) as Project);
}
