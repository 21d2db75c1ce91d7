import type { Project } from '@jaxlab/schemas/contract';
import type { ServerConnection } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';

import type { ApiClient } from '../api/api-client.js';
import type { KernelFileSync } from './kernel-file-sync.js';
import { notebookWrittenFiles } from './kernel-file-sync.js';
import { writeKernelFiles } from './kernel-files-client.js';
import { errorText } from '../ui/error-text.js';

/** Where a notebook's project binding stands. */
export type BindingState = 'unbound' | 'syncing' | 'synced' | 'error';

/** The notebook metadata key the binding (and a run's export) lives under. */
export const METADATA_KEY = 'jaxlab';

/**
 * What the binding uses of a notebook's document context (JupyterLab's
 * `DocumentRegistry.IContext`): when it is ready, its model, its session.
 */
export interface INotebookContext {
  readonly ready: Promise<void>;
  readonly model: unknown;
  readonly sessionContext: {
    readonly session: {
      readonly kernel: { readonly id: string } | null;
    } | null;
    readonly kernelChanged: ISignal<
      unknown,
      { newValue: { readonly id: string } | null }
    >;
    readonly statusChanged: ISignal<unknown, string>;
  };
}

/** What a notebook model offers for its metadata (INotebookModel). */
interface IMetadataModel {
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
  readonly metadataChanged: ISignal<unknown, unknown>;
}

/**
 * A notebook bound to a project: its metadata names the project
 * (`metadata.jaxlab.projectId`, as a run's export writes it), and whenever
 * its kernel starts or restarts, or the project is saved in this lab, the
 * project's files are put into the kernel's folder on the gateway (through
 * JupyterLab's server, as the notebook's user), so `main()` in a cell runs
 * the project as saved. Syncs run one at a time; each sends only what
 * changed in that kernel's folder.
 */
export class NotebookBinding {
  constructor(options: NotebookBinding.IOptions) {
    this._context = options.context;
    this._client = options.client;
    this._serverSettings = options.serverSettings;
    this._sync = options.sync;
    const session = this._context.sessionContext;
    session.kernelChanged.connect(this._onKernelChanged, this);
    session.statusChanged.connect(this._onStatus, this);
    void this._context.ready.then(() => {
      this._metadataModel()?.metadataChanged.connect(this._onMetadata, this);
      this._onMetadata();
    });
  }

  /** The bound project's id, or null. */
  get projectId(): string | null {
    const id = this._metadata().projectId;
    return typeof id === 'string' && id ? id : null;
  }

  /** The bound project's name as last known, or null. */
  get projectName(): string | null {
    const name = this._metadata().projectName;
    return typeof name === 'string' && name ? name : null;
  }

  /** Where the binding stands. */
  get state(): BindingState {
    return this._state;
  }

  /** What went wrong (state `error`), or when the files were put in. */
  get message(): string {
    return this._message;
  }

  /** Emitted when the project, the state or the message changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Binds the notebook to `project` (null: unbinds it) in its metadata
   * (saved with the notebook), then puts the files in its kernel.
   */
  async bind(project: Project | null): Promise<void> {
    const model = this._metadataModel();
    if (!model) return;
    const rest = { ...this._metadata() };
    delete rest.projectId;
    delete rest.projectName;
    model.setMetadata(
      METADATA_KEY,
      project
        ? { ...rest, projectId: project.id, projectName: project.name }
        : rest
    );
    if (project) await this.syncNow(project);
  }

  /**
   * Puts the bound project's files (`project`, or as the server has it)
   * into the kernel's folder; resolves when done or failed (see
   * {@link NotebookBinding.state}).
   */
  syncNow(project?: Project): Promise<void> {
    const run = this._queue.then(() => this._syncOnce(project));
    this._queue = run.catch(() => undefined);
    return run;
  }

  /** Stops following the notebook; idempotent. */
  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _syncOnce(given?: Project): Promise<void> {
    const projectId = this.projectId;
    const kernel = this._context.sessionContext.session?.kernel;
    if (this._isDisposed || !projectId) {
      this._setState(projectId ? 'synced' : 'unbound', '');
      return;
    }
    if (!kernel) {
      this._setState('synced', 'The files go into the kernel when it starts.');
      return;
    }
    this._setState('syncing', '');
    try {
      const project =
        given?.id === projectId
          ? given
          : await this._client().getProject(projectId);
      if (project.name !== this.projectName) this._rename(project.name);
      const own = notebookWrittenFiles(this._cellSources());
      const change = this._sync.changeFor(kernel.id, project, own);
      if (change) {
        await writeKernelFiles(this._serverSettings, kernel.id, change);
        this._sync.written(kernel.id, project, own);
      }
      this._setState(
        'synced',
        `Files of ${project.name} in the kernel since ${new Date().toLocaleTimeString()}.`
      );
    } catch (error) {
      this._setState('error', errorText(error));
    }
  }

  private _onKernelChanged(
    _: unknown,
    change: { newValue: { readonly id: string } | null }
  ): void {
    if (change.newValue) {
      this._sync.forget(change.newValue.id);
      void this.syncNow();
    }
  }

  /** After a restart the folder is the kernel's again: send everything. */
  private _onStatus(_: unknown, status: string): void {
    if (status === 'restarting' || status === 'autorestarting') {
      this._isRestarting = true;
    } else if (status === 'idle' && this._isRestarting) {
      this._isRestarting = false;
      const id = this._context.sessionContext.session?.kernel?.id;
      if (id) this._sync.forget(id);
      void this.syncNow();
    }
  }

  private _onMetadata(): void {
    if (this.projectId !== this._boundId) {
      this._boundId = this.projectId;
      void this.syncNow();
    }
    this._changed.emit();
  }

  private _rename(name: string): void {
    this._metadataModel()?.setMetadata(METADATA_KEY, {
      ...this._metadata(),
      projectName: name
    });
  }

  /** The sources of the notebook's cells (INotebookModel's shared model). */
  private _cellSources(): string[] {
    const model = this._context.model as {
      sharedModel?: { cells?: Array<{ getSource(): string }> };
    } | null;
    return (model?.sharedModel?.cells ?? []).map(cell => cell.getSource());
  }

  private _metadata(): Record<string, unknown> {
    const value = this._metadataModel()?.getMetadata(METADATA_KEY);
    return value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)
      : {};
  }

  private _metadataModel(): IMetadataModel | null {
    const model = this._context.model as unknown as Partial<IMetadataModel>;
    return typeof model?.getMetadata === 'function'
      ? (model as IMetadataModel)
      : null;
  }

  private _setState(state: BindingState, message: string): void {
    this._state = state;
    this._message = message;
    this._changed.emit();
  }

  private _context: INotebookContext;
  private _client: () => ApiClient;
  private _serverSettings: ServerConnection.ISettings;
  private _sync: KernelFileSync;
  private _queue: Promise<void> = Promise.resolve();
  private _state: BindingState = 'unbound';
  private _message = '';
  private _boundId: string | null = null;
  private _isRestarting = false;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** Statics of {@link NotebookBinding}. */
export namespace NotebookBinding {
  /** Options of {@link NotebookBinding}. */
  export interface IOptions {
    /** The notebook's document context (model, session). */
    context: INotebookContext;
    /** The JAX TPU Lab server's client. */
    client: () => ApiClient;
    /** JupyterLab's own server, whose extension reaches the gateway. */
    serverSettings: ServerConnection.ISettings;
    /** What each kernel's folder holds (shared by all notebooks). */
    sync: KernelFileSync;
  }
}
