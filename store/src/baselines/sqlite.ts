import type { Baseline } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { IBaselines } from './contract.js';

/** {@link IBaselines} on the embedded SQLite file: one row per project. */
export class SqliteBaselines implements IBaselines {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async set(owner: string, baseline: Baseline): Promise<Baseline> {
    this._database
      .prepare(
        `INSERT INTO baselines (projectId, owner, doc) VALUES (?, ?, ?)
         ON CONFLICT (projectId) DO UPDATE SET owner = excluded.owner, doc = excluded.doc`
      )
      .run(baseline.projectId, owner, JSON.stringify(baseline));
    return baseline;
  }

  async get(projectId: string, owner: string): Promise<Baseline | null> {
    const row = this._database
      .prepare('SELECT doc FROM baselines WHERE projectId = ? AND owner = ?')
      .get(projectId, owner) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Baseline) : null;
  }

  async remove(projectId: string, owner: string): Promise<boolean> {
    return (
      this._database
        .prepare('DELETE FROM baselines WHERE projectId = ? AND owner = ?')
        .run(projectId, owner).changes > 0
    );
  }

  async listAll(): Promise<{ owner: string; baseline: Baseline }[]> {
    const rows = this._database
      .prepare('SELECT owner, doc FROM baselines ORDER BY projectId')
      .all() as { owner: string; doc: string }[];
    return rows.map(row => ({
      owner: row.owner,
      baseline: JSON.parse(row.doc) as Baseline
    }));
  }

  private _database: SqliteDatabase;
}
