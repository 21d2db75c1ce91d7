import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { ProjectModel, SaveState } from './project-model.js';

/**
 * The project panel's toolbar label of whether the project's files are
 * saved (“Saved to server”, “Unsaved edits”, “Saving…”, “Save failed: …”),
 * with the state in `data-state` for its colour.
 */
export class SaveStateLabel extends Widget {
  /** Make a label following `model`'s save state. */
  constructor(model: ProjectModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-SaveState');
    this._trans = trans;
    model.saveStateChanged.connect(this._onSaveState, this);
    this._onSaveState(model, model.saveState);
  }

  private _onSaveState(model: ProjectModel, state: SaveState): void {
    const trans = this._trans;
    const text: Record<SaveState, string> = {
      saved: trans.__('Saved to server'),
      dirty: trans.__('Unsaved edits'),
      saving: trans.__('Saving…'),
      error: trans.__('Save failed: %1', model.saveError)
    };
    this.node.textContent = text[state];
    this.node.dataset.state = state;
  }

  private _trans: TranslationBundle;
}
