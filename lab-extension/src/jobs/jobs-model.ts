import type { JobSummary } from '@jaxlab/schemas/contract';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';

/**
 * The runs of one project, newest first, and the (at most two) runs picked
 * for comparison.
 */
export class JobsModel {
  /** Make a model reading through `client()`. */
  constructor(client: () => ApiClient) {
    this._client = client;
  }

  /** Emitted when the list, the project or the selection change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Project whose runs are listed; null lists nothing. */
  get projectId(): string | null {
    return this._projectId;
  }

  set projectId(id: string | null) {
    if (id === this._projectId) {
      return;
    }
    this._projectId = id;
    this._jobs = [];
    this._selected = [];
    this._changed.emit();
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
    const projectId = this._projectId;
    if (!projectId) {
      return;
    }
    try {
      const page = await this._client().listJobs({ projectId, limit: 50 });
      if (projectId !== this._projectId) {
        return;
      }
      this._jobs = page.items;
      this._error = '';
    } catch (error) {
      this._error = (error as Error).message;
    }
    this._changed.emit();
  }

  /** Pick or unpick a run for comparison; picking a third drops the oldest pick. */
  toggle(jobId: string): void {
    if (this._selected.includes(jobId)) {
      this._selected = this._selected.filter(id => id !== jobId);
    } else {
      this._selected = [...this._selected, jobId].slice(-2);
    }
    this._changed.emit();
  }

  /** Stop; idempotent. */
  dispose(): void {
    Signal.clearData(this);
  }

  private _client: () => ApiClient;
  private _projectId: string | null = null;
  private _jobs: JobSummary[] = [];
  private _selected: string[] = [];
  private _error = '';
  private _changed = new Signal<this, void>(this);
}
