import type { Project, ProjectWrite } from '@jaxlab/schemas/contract';
import { CodeEditor } from '@jupyterlab/codeeditor';
import { Signal, type ISignal } from '@lumino/signaling';
import type { ApiClient } from '../api/api-client.js';

/** Whether the files on screen are on the server. */
export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

/**
 * One project as it is being edited: editor models of main.py and
 * requirements.txt, saved to the server with a debounced PATCH after each
 * edit (and at once with {@link ProjectModel.save}), so another browser
 * opening the project sees them. The two files go in separate requests:
 * the server refuses a requirements.txt line a job could not install from
 * (REQUIREMENTS_REJECTED), and main.py must not wait for that to be fixed.
 */
export class ProjectModel {
  /** Wrap `project`; edits go to the server through `client()`. */
  constructor(
    project: Project,
    client: () => ApiClient,
    options: { debounceMs?: number } = {}
  ) {
    this._project = project;
    this._client = client;
    this._debounceMs = options.debounceMs ?? 800;
    this.mainPy = new CodeEditor.Model({ mimeType: 'text/x-python' });
    this.mainPy.sharedModel.setSource(project.mainPy);
    this.requirements = new CodeEditor.Model({ mimeType: 'text/plain' });
    this.requirements.sharedModel.setSource(project.requirements);
    // Loading the files is not an edit: Ctrl+Z must not undo it to empty.
    this.mainPy.sharedModel.clearUndoHistory();
    this.requirements.sharedModel.clearUndoHistory();
    this.mainPy.sharedModel.changed.connect(this._onEdit, this);
    this.requirements.sharedModel.changed.connect(this._onEdit, this);
  }

  /** Editor model of main.py. */
  readonly mainPy: CodeEditor.Model;
  /** Editor model of requirements.txt. */
  readonly requirements: CodeEditor.Model;

  /** The project as last saved or loaded. */
  get project(): Project {
    return this._project;
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
  async save(): Promise<void> {
    window.clearTimeout(this._timer);
    const patches: ProjectWrite[] = [];
    const mainPy = this.mainPy.sharedModel.getSource();
    const requirements = this.requirements.sharedModel.getSource();
    if (mainPy !== this._project.mainPy) {
      patches.push({ mainPy });
    }
    if (requirements !== this._project.requirements) {
      patches.push({ requirements });
    }
    if (!patches.length) {
      this._setState('saved');
      return;
    }
    this._setState('saving');
    try {
      for (const patch of patches) {
        this._project = await this._client().updateProject(
          this._project.id,
          patch
        );
      }
      this._saveError = '';
      // Edits made while saving are still pending.
      const current =
        this.mainPy.sharedModel.getSource() === this._project.mainPy &&
        this.requirements.sharedModel.getSource() ===
          this._project.requirements;
      this._setState(current ? 'saved' : 'dirty');
      if (!current) {
        this._schedule();
      }
    } catch (error) {
      this._saveError = (error as Error).message;
      this._setState('error');
    }
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
    Signal.clearData(this);
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
  private _timer = 0;
  private _saveState: SaveState = 'saved';
  private _saveError = '';
  private _isDisposed = false;
  private _saveStateChanged = new Signal<this, SaveState>(this);
}
