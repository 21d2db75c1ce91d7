import type {
  Project,
  ProjectFile,
  ProjectWrite
} from '@jaxlab/schemas/contract';
import { CodeEditor } from '@jupyterlab/codeeditor';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';

/** Whether the files on screen are on the server. */
export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

/**
 * One project as it is being edited: editor models of main.py,
 * requirements.txt and the project's other files (`models.py`,
 * `utils/data.py`), saved to the server after each edit (debounced) and at
 * once with {@link ProjectModel.save}, so another browser opening the
 * project sees them. Each file goes in a request of its own: the server
 * refuses a requirements.txt line a job could not install from
 * (REQUIREMENTS_REJECTED), and main.py must not wait for that to be fixed.
 * Files are added, renamed and deleted on the server first, then here.
 * Requests go one at a time, in the order they were asked for.
 */
export class ProjectModel {
  /** Wrap `project`; edits go to the server through `client()`. */
  constructor(
    project: Project,
    client: () => ApiClient,
    options: ProjectModel.IOptions = {}
  ) {
    this._project = project;
    this._client = client;
    this._debounceMs = options.debounceMs ?? 800;
    this._mimeTypeOf = options.mimeTypeOf ?? defaultMimeType;
    this.mainPy = this._newModel('main.py', project.mainPy);
    this.requirements = this._newModel(
      'requirements.txt',
      project.requirements
    );
    for (const file of project.files ?? []) {
      this._files.set(file.path, this._newModel(file.path, file.content));
    }
  }

  /** Editor model of main.py. */
  readonly mainPy: CodeEditor.Model;
  /** Editor model of requirements.txt. */
  readonly requirements: CodeEditor.Model;

  /** The project as last saved or loaded. */
  get project(): Project {
    return this._project;
  }

  /** Paths of the project's other files, sorted. */
  get filePaths(): string[] {
    return [...this._files.keys()].sort();
  }

  /** Editor model of one of the project's other files. */
  fileModel(path: string): CodeEditor.Model | undefined {
    return this._files.get(path);
  }

  /** The other files as they are in the editors (saved or not). */
  files(): ProjectFile[] {
    return this.filePaths.map(path => ({
      path,
      content: this._files.get(path)!.sharedModel.getSource()
    }));
  }

  /** Emitted when a file is added, renamed or deleted. */
  get filesChanged(): ISignal<this, void> {
    return this._filesChanged;
  }

  /** Emitted with the project each time the server has a new version of it. */
  get saved(): ISignal<this, Project> {
    return this._saved;
  }

  /** Emitted when the save state changes. */
  get saveStateChanged(): ISignal<this, SaveState> {
    return this._saveStateChanged;
  }

  /** Whether the edits are on the server. */
  get saveState(): SaveState {
    return this._saveState;
  }

  /** Last save error message, '' when none. */
  get saveError(): string {
    return this._saveError;
  }

  /**
   * Save now what differs from the server's copy; resolves when saved, or
   * with {@link ProjectModel.saveState} `error` and the reason in
   * {@link ProjectModel.saveError}.
   */
  save(): Promise<void> {
    window.clearTimeout(this._timer);
    return this._serial(() => this._save());
  }

  /**
   * Adds a file to the project (on the server first).
   *
   * @throws JaxLabError `PROJECT_FILE_REJECTED` naming the rule its path
   * breaks, or another code the server answers; nothing changes then.
   */
  addFile(path: string, content = ''): Promise<void> {
    return this._serial(async () => {
      const project = await this._client().writeProjectFile(
        this._project.id,
        path,
        content
      );
      this._files.set(path, this._newModel(path, content));
      this._changed(project);
    });
  }

  /**
   * Renames a file (its unsaved edits are saved first and go with it).
   *
   * @throws JaxLabError as the server answers (`PROJECT_FILE_REJECTED`,
   * `CONFLICT` when a file has that path already).
   */
  renameFile(path: string, to: string): Promise<void> {
    return this._serial(async () => {
      await this._save();
      const project = await this._client().renameProjectFile(
        this._project.id,
        path,
        to
      );
      const model = this._files.get(path);
      if (model) {
        this._files.delete(path);
        this._files.set(to, model);
      }
      this._changed(project);
    });
  }

  /** Deletes a file (on the server first). @throws JaxLabError. */
  deleteFile(path: string): Promise<void> {
    return this._serial(async () => {
      const project = await this._client().deleteProjectFile(
        this._project.id,
        path
      );
      this._files.get(path)?.dispose();
      this._files.delete(path);
      this._changed(project);
    });
  }

  /** Stop saving; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    window.clearTimeout(this._timer);
    this.mainPy.dispose();
    this.requirements.dispose();
    for (const model of this._files.values()) model.dispose();
    this._files.clear();
    Signal.clearData(this);
  }

  private async _save(): Promise<void> {
    const writes = this._unsaved();
    if (!writes.length) {
      this._setState('saved');
      return;
    }
    this._setState('saving');
    // One refused file must not hold back the others.
    let failure: Error | undefined;
    let wrote = false;
    for (const write of writes) {
      try {
        this._project = await write();
        wrote = true;
      } catch (error) {
        failure ??= error as Error;
      }
    }
    if (wrote) this._saved.emit(this._project);
    if (failure) {
      this._saveError = failure.message;
      this._setState('error');
      return;
    }
    this._saveError = '';
    // Edits made while saving are still pending.
    const isCurrent = this._unsaved().length === 0;
    this._setState(isCurrent ? 'saved' : 'dirty');
    if (!isCurrent) {
      this._schedule();
    }
  }

  /** The requests that would bring the server's copy up to the editors'. */
  private _unsaved(): Array<() => Promise<Project>> {
    const client = this._client();
    const id = this._project.id;
    const writes: Array<() => Promise<Project>> = [];
    const patch = (change: ProjectWrite) => () =>
      client.updateProject(id, change);
    const mainPy = this.mainPy.sharedModel.getSource();
    if (mainPy !== this._project.mainPy) writes.push(patch({ mainPy }));
    const stored = new Map(
      (this._project.files ?? []).map(f => [f.path, f.content])
    );
    for (const [path, model] of this._files) {
      const text = model.sharedModel.getSource();
      if (stored.get(path) !== text)
        writes.push(() => client.writeProjectFile(id, path, text));
    }
    const requirements = this.requirements.sharedModel.getSource();
    if (requirements !== this._project.requirements)
      writes.push(patch({ requirements }));
    return writes;
  }

  private _changed(project: Project): void {
    this._project = project;
    this._filesChanged.emit();
    this._saved.emit(project);
  }

  private _newModel(path: string, text: string): CodeEditor.Model {
    const model = new CodeEditor.Model({ mimeType: this._mimeTypeOf(path) });
    model.sharedModel.setSource(text);
    // Loading a file is not an edit: Ctrl+Z must not undo it to empty.
    model.sharedModel.clearUndoHistory();
    model.sharedModel.changed.connect(this._onEdit, this);
    return model;
  }

  private _serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this._queue.then(op);
    this._queue = run.then(
      () => undefined,
      () => undefined
    );
    return run;
  }

  private _onEdit(): void {
    this._setState('dirty');
    this._schedule();
  }

  private _schedule(): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(() => void this.save(), this._debounceMs);
  }

  private _setState(state: SaveState): void {
    if (state !== this._saveState) {
      this._saveState = state;
      this._saveStateChanged.emit(state);
    }
  }

  private _project: Project;
  private _client: () => ApiClient;
  private _debounceMs: number;
  private _mimeTypeOf: (path: string) => string;
  private _files = new Map<string, CodeEditor.Model>();
  private _queue: Promise<void> = Promise.resolve();
  private _timer = 0;
  private _saveState: SaveState = 'saved';
  private _saveError = '';
  private _isDisposed = false;
  private _filesChanged = new Signal<this, void>(this);
  private _saved = new Signal<this, Project>(this);
  private _saveStateChanged = new Signal<this, SaveState>(this);
}

/** Statics of {@link ProjectModel}. */
export namespace ProjectModel {
  /** Options of {@link ProjectModel}. */
  export interface IOptions {
    /** Wait after an edit before saving, ms (default 800). */
    debounceMs?: number;
    /** The editor's mime type of a file (default: by its ending). */
    mimeTypeOf?: (path: string) => string;
  }
}

/** Mime types of the endings a project file may have. */
function defaultMimeType(path: string): string {
  const ending = path.slice(path.lastIndexOf('.') + 1);
  return (
    {
      py: 'text/x-python',
      md: 'text/markdown',
      json: 'application/json',
      yaml: 'text/x-yaml',
      yml: 'text/x-yaml',
      toml: 'text/x-toml',
      ini: 'text/x-ini',
      cfg: 'text/x-ini'
    }[ending] ?? 'text/plain'
  );
}
