import type { Collection } from 'mongodb';
import type { Project, ProjectWrite } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IProjects } from './contract.js';
import { newProject, patchProject, storedProject } from './new-project.js';

/**
 * A project document. `_rev` counts its writes, so that a change is written
 * only over the version it was computed from (absent on documents written
 * before it existed, which MongoDB matches as null).
 */
type IProjectDoc = Omit<Project, 'id'> & { _id: string; _rev?: number };

/** Attempts of one change before giving up to concurrent writers. */
const MAX_CHANGE_ATTEMPTS = 20;

/** {@link IProjects} on MongoDB: one document per project in `projects`. */
export class MongoProjects implements IProjects {
  constructor(database: MongoDatabase) {
    this._database = database;
  }

  async create(
    owner: string,
    input: ProjectWrite & { name: string }
  ): Promise<Project> {
    const project = newProject(owner, input);
    await this._projects().insertOne({ ...projectToDoc(project), _rev: 0 });
    return project;
  }

  async get(id: string, owner: string): Promise<Project | null> {
    const doc = await this._projects().findOne({ _id: id, owner });
    return doc ? docToProject(doc) : null;
  }

  async list(owner: string): Promise<Project[]> {
    const docs = await this._projects()
      .find({ owner })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(docToProject);
  }

  async listWithRetention(): Promise<Project[]> {
    const docs = await this._projects()
      .find({ logRetentionDays: { $gte: 1 } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map(docToProject);
  }

  async modify(
    id: string,
    owner: string,
    change: (current: Project) => ProjectWrite
  ): Promise<Project | null> {
    // Optimistic: read, change, and write only if nobody wrote meanwhile.
    for (let attempt = 0; attempt < MAX_CHANGE_ATTEMPTS; attempt++) {
      const current = await this._projects().findOne({ _id: id, owner });
      if (!current) return null;
      const stored = docToProject(current);
      const project = patchProject(stored, change(stored), new Date());
      const rev = current._rev ?? null;
      const result = await this._projects().replaceOne(
        { _id: id, owner, _rev: rev as number },
        { ...projectToDoc(project), _rev: (rev ?? 0) + 1 }
      );
      if (result.matchedCount) return project;
    }
    throw new JaxLabError(
      'CONFLICT',
      `Project ${id} kept changing while it was being saved`
    );
  }

  async delete(id: string, owner: string): Promise<boolean> {
    const result = await this._projects().deleteOne({ _id: id, owner });
    return result.deletedCount > 0;
  }

  private _projects(): Collection<IProjectDoc> {
    return this._database.collection<IProjectDoc>('projects');
  }

  private _database: MongoDatabase;
}

function projectToDoc(project: Project): IProjectDoc {
  const { id, ...rest } = project;
  return { _id: id, ...rest };
}

function docToProject(doc: IProjectDoc): Project {
  const { _id, _rev, ...rest } = doc;
  void _rev;
  return storedProject({ id: _id, ...rest });
}
