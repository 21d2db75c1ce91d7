import type { JobStatus, JobSummary } from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';

/** The filters of the runs list. */
export interface IRunFilters {
  /** '' : any status. */
  status: JobStatus | '';
  /** Name contains. */
  q: string;
  tag: string;
  /** Argument filters, `lr=0.1 opt='adam'` (space separated). */
  args: string;
  /** `loss<0.5`. */
  metric: string;
}

/** Most runs picked for one comparison. */
export const MAX_PICKED = 16;

/**
 * The runs list: the current project's runs (or every project's), newest
 * first, filtered by status, name, tag, argument and metric value, and the
 * runs picked for comparison (up to 16, in picking order).
 */
export class JobsModel {
  /** Make a model reading through `client()`. */
  constructor(client: () => ApiClient) {
    this._client = client;
  }

  /** Emitted when the list, the scope, the filters or the selection change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The current project (its runs are listed unless the scope is all). */
  get projectId(): string | null {
    return this._projectId;
  }

  set projectId(id: string | null) {
    this.setProject(id, this._projectNames.get(id ?? '') ?? '');
  }

  /** Follows project `id`, called `name`. */
  setProject(id: string | null, name: string): void {
    if (id) this._projectNames.set(id, name);
    if (id === this._projectId) return;
    this._projectId = id;
    if (this._scope === 'project') {
      this._jobs = [];
      this._selected = [];
    }
    this._changed.emit();
    void this.refresh();
  }

  /** The current project's name ('' when none). */
  get projectName(): string {
    return this._projectNames.get(this._projectId ?? '') ?? '';
  }

  /** The name of project `id`, when known. */
  projectNameOf(id: string | null): string {
    return id ? (this._projectNames.get(id) ?? '') : '';
  }

  /** Whose runs are listed: the current project's, or all. */
  get scope(): 'project' | 'all' {
    return this._scope;
  }

  set scope(scope: 'project' | 'all') {
    if (scope === this._scope) return;
    this._scope = scope;
    this._changed.emit();
    void this.refresh();
  }

  get filters(): Readonly<IRunFilters> {
    return this._filters;
  }

  /** Changes filters and lists again. */
  setFilters(filters: Partial<IRunFilters>): void {
    this._filters = { ...this._filters, ...filters };
    void this.refresh();
  }

  /** Runs, newest first. */
  get jobs(): readonly JobSummary[] {
    return this._jobs;
  }

  /** Ids picked for comparison, in picking order. */
  get selected(): readonly string[] {
    return this._selected;
  }

  /** Last error message, '' when none. */
  get error(): string {
    return this._error;
  }

  /** Reload the list. */
  async refresh(): Promise<void> {
    const projectId = this._scope === 'project' ? this._projectId : null;
    if (this._scope === 'project' && !projectId) {
      return;
    }
    const f = this._filters;
    const request = ++this._request;
    try {
      const client = this._client();
      const page = await client.listJobs({
        projectId: projectId ?? undefined,
        status: f.status || undefined,
        q: f.q.trim(),
        tag: f.tag.trim(),
        arg: f.args.trim() ? f.args.trim().split(/\s+/) : undefined,
        metric: f.metric.replace(/\s+/g, ''),
        limit: 100
      });
      if (
        this._scope === 'all' &&
        page.items.some(
          j => j.projectId && !this._projectNames.has(j.projectId)
        )
      ) {
        for (const project of await client.listProjects()) {
          this._projectNames.set(project.id, project.name);
        }
      }
      if (request !== this._request) {
        return;
      }
      this._jobs = page.items;
      this._error = '';
    } catch (error) {
      if (request !== this._request) return;
      this._error = (error as Error).message;
    }
    this._changed.emit();
  }

  /** Pick or unpick a run for comparison; past 16 the oldest pick goes. */
  toggle(jobId: string): void {
    if (this._selected.includes(jobId)) {
      this._selected = this._selected.filter(id => id !== jobId);
    } else {
      this._selected = [...this._selected, jobId].slice(-MAX_PICKED);
    }
    this._changed.emit();
  }

  /** Stop; idempotent. */
  dispose(): void {
    Signal.clearData(this);
  }

  private _client: () => ApiClient;
  private _projectId: string | null = null;
  private _projectNames = new Map<string, string>();
  private _scope: 'project' | 'all' = 'project';
  private _filters: IRunFilters = {
    status: '',
    q: '',
    tag: '',
    args: '',
    metric: ''
  };
  private _jobs: JobSummary[] = [];
  private _selected: string[] = [];
  private _error = '';
  private _request = 0;
  private _changed = new Signal<this, void>(this);
}
