import type { Sweep } from '@jaxlab/schemas';
import type { SqliteDatabase } from '../sqlite/sqlite-database.js';
import type { ISweeps } from './contract.js';

/** {@link ISweeps} on the embedded SQLite file: the sweep as a JSON document. */
export class SqliteSweeps implements ISweeps {
  constructor(database: SqliteDatabase) {
    this._database = database;
  }

  async create(sweep: Sweep, template: ISweeps.ITemplate): Promise<Sweep> {
    this._database
      .prepare(
        `INSERT INTO sweeps (id, owner, projectId, status, createdAt, doc, template)
         VALUES (?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        sweep.id,
        sweep.owner,
        sweep.projectId,
        sweep.status,
        sweep.createdAt,
        JSON.stringify(sweep),
        JSON.stringify(template)
      );
    return sweep;
  }

  async get(id: string, owner?: string): Promise<Sweep | null> {
    const row = this._database
      .prepare('SELECT doc, owner FROM sweeps WHERE id = ?')
      .get(id) as { doc: string; owner: string } | undefined;
    return row && (owner === undefined || row.owner === owner)
      ? (JSON.parse(row.doc) as Sweep)
      : null;
  }

  async template(id: string): Promise<ISweeps.ITemplate | null> {
    const row = this._database
      .prepare('SELECT template FROM sweeps WHERE id = ?')
      .get(id) as { template: string } | undefined;
    return row ? (JSON.parse(row.template) as ISweeps.ITemplate) : null;
  }

  async list(owner: string, projectId?: string): Promise<Sweep[]> {
    const rows = this._database
      .prepare(
        `SELECT doc FROM sweeps WHERE owner = @owner
           AND (@projectId IS NULL OR projectId = @projectId)
         ORDER BY createdAt DESC, id DESC`
      )
      .all({ owner, projectId: projectId ?? null }) as { doc: string }[];
    return rows.map(row => JSON.parse(row.doc) as Sweep);
  }

  async listActive(): Promise<string[]> {
    const rows = this._database
      .prepare(
        `SELECT id FROM sweeps WHERE status IN ('RUNNING', 'PAUSED') ORDER BY createdAt`
      )
      .all() as { id: string }[];
    return rows.map(row => row.id);
  }

  async mutate(
    id: string,
    change: (sweep: Sweep) => Sweep | null
  ): Promise<Sweep | null> {
    const database = this._database;
    return database.immediate(() => {
      const row = database
        .prepare('SELECT doc FROM sweeps WHERE id = ?')
        .get(id) as { doc: string } | undefined;
      if (!row) return null;
      const current = JSON.parse(row.doc) as Sweep;
      const next = change(current);
      if (!next) return current;
      database
        .prepare('UPDATE sweeps SET status = ?, doc = ? WHERE id = ?')
        .run(next.status, JSON.stringify(next), id);
      return next;
    });
  }

  private _database: SqliteDatabase;
}
