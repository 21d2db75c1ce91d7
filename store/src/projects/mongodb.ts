import type { Collection } from 'mongodb';
import type { Project, ProjectWrite } from '@jaxlab/schemas';
import type { MongoDatabase } from '../mongodb/mongo-database.js';
import type { IProjects } from './contract.js';
import { newProject, patchProject } from './new-project.js';

type IProjectDoc = Omit<Project, 'id'> & { _id: string };

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
    await this._projects().insertOne(projectToDoc(project));
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

  async update(
    id: string,
    owner: string,
    patch: ProjectWrite
  ): Promise<Project | null> {
    const current = await this._projects().findOne({ _id: id, owner });
    if (!current) return null;
    const project = patchProject(docToProject(current), patch, new Date());
    const result = await this._projects().replaceOne(
      { _id: id, owner },
      projectToDoc(project)
    );
    return result.matchedCount ? project : null;
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
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}
