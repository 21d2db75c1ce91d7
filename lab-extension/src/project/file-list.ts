import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, closeIcon, editIcon } from '@jupyterlab/ui-components';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { askFilePath } from './file-name-dialog.js';
import type { ProjectModel } from './project-model.js';
import { errorText } from '../ui/error-text.js';

/** The project's own files, always there and always first. */
const OWN_FILES = ['main.py', 'README.md', 'requirements.txt'];

/**
 * The files of a project, as a list beside its editors: main.py, README.md
 * and requirements.txt, then the other files by path (`utils/data.py`).
 * Clicking one opens it; “New file” adds one, and each other file can be
 * renamed or deleted (on the server first: a refusal is shown and nothing
 * changes).
 */
export class FileList extends Widget {
  constructor(model: ProjectModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-FileList');
    this._model = model;
    this._trans = trans;
    const header = document.createElement('div');
    header.className = 'jp-jaxlab-FileList-header';
    const title = document.createElement('span');
    title.textContent = trans.__('Files');
    this._addButton = document.createElement('button');
    this._addButton.className = 'jp-jaxlab-FileList-add jp-mod-styled';
    this._addButton.title = trans.__(
      'Add a module, a package file or a data file to the project'
    );
    this._addButton.append(
      addIcon.element({ tag: 'span', className: 'jp-jaxlab-FileList-icon' }),
      document.createTextNode(trans.__('New file'))
    );
    header.append(title, this._addButton);
    this._list = document.createElement('ul');
    this._list.className = 'jp-jaxlab-FileList-items';
    this.node.append(header, this._list);
    model.filesChanged.connect(this.refresh, this);
    this.refresh();
  }

  /** Emitted with a file's path when the user opens it. */
  get fileOpened(): ISignal<this, string> {
    return this._fileOpened;
  }

  /** Marks `path` as the file shown in the editor. */
  setActive(path: string): void {
    this._active = path;
    for (const item of this._list.children) {
      (item as HTMLElement).classList.toggle(
        'jp-mod-active',
        (item as HTMLElement).dataset.path === path
      );
    }
  }

  /** Redraws the list from the model. */
  refresh(): void {
    const paths = [...OWN_FILES, ...this._model.filePaths];
    this._list.replaceChildren(...paths.map(path => this._item(path)));
    this.setActive(this._active);
  }

  /** Asks for a path and adds an empty file there; resolves with it, or null. */
  async addFile(): Promise<string | null> {
    const trans = this._trans;
    const path = await askFilePath(trans, {
      title: trans.__('New file'),
      initial: 'models.py',
      taken: [...OWN_FILES, ...this._model.filePaths]
    });
    if (path === null) return null;
    const done = await this._tryOn(trans.__('Cannot add %1', path), () =>
      this._model.addFile(path)
    );
    if (done) this._fileOpened.emit(path);
    return done ? path : null;
  }

  /** Asks for a new path of `path` and renames it; resolves with it, or null. */
  async renameFile(path: string): Promise<string | null> {
    const trans = this._trans;
    const to = await askFilePath(trans, {
      title: trans.__('Rename %1', path),
      initial: path,
      taken: [...OWN_FILES, ...this._model.filePaths.filter(p => p !== path)]
    });
    if (to === null || to === path) return null;
    const done = await this._tryOn(trans.__('Cannot rename %1', path), () =>
      this._model.renameFile(path, to)
    );
    return done ? to : null;
  }

  /** Asks whether to delete `path`, then does. */
  async deleteFile(path: string): Promise<boolean> {
    const trans = this._trans;
    const result = await showDialog({
      title: trans.__('Delete %1?', path),
      body: trans.__(
        'The file is removed from the project; runs that used it keep their copy.'
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!result.button.accept) return false;
    return this._tryOn(trans.__('Cannot delete %1', path), () =>
      this._model.deleteFile(path)
    );
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._model.filesChanged.disconnect(this.refresh, this);
    super.dispose();
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
  }

  private _item(path: string): HTMLLIElement {
    const trans = this._trans;
    const li = document.createElement('li');
    li.className = 'jp-jaxlab-FileList-item';
    li.dataset.path = path;
    li.title = path;
    const slash = path.lastIndexOf('/');
    const name = document.createElement('span');
    name.className = 'jp-jaxlab-FileList-name';
    if (slash > 0) {
      const folder = document.createElement('span');
      folder.className = 'jp-jaxlab-FileList-folder';
      folder.textContent = path.slice(0, slash + 1);
      name.appendChild(folder);
    }
    name.appendChild(document.createTextNode(path.slice(slash + 1)));
    li.appendChild(name);
    if (!OWN_FILES.includes(path)) {
      li.append(
        this._action('rename', editIcon, trans.__('Rename %1', path)),
        this._action('delete', closeIcon, trans.__('Delete %1', path))
      );
    }
    return li;
  }

  private _action(
    action: string,
    icon: typeof editIcon,
    title: string
  ): HTMLButtonElement {
    const button = document.createElement('button');
    button.className = 'jp-jaxlab-FileList-action';
    button.dataset.action = action;
    button.title = title;
    button.setAttribute('aria-label', title);
    button.appendChild(icon.element({ tag: 'span' }));
    return button;
  }

  private async _tryOn(
    title: string,
    change: () => Promise<void>
  ): Promise<boolean> {
    try {
      await change();
      return true;
    } catch (error) {
      await showErrorMessage(title, errorText(error));
      return false;
    }
  }

  private _onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement;
    if (target.closest('.jp-jaxlab-FileList-add')) {
      void this.addFile();
      return;
    }
    const item = target.closest<HTMLElement>('.jp-jaxlab-FileList-item');
    const path = item?.dataset.path;
    if (!path) return;
    const action = target.closest<HTMLElement>('.jp-jaxlab-FileList-action')
      ?.dataset.action;
    if (action === 'rename') void this.renameFile(path);
    else if (action === 'delete') void this.deleteFile(path);
    else this._fileOpened.emit(path);
  };

  private _model: ProjectModel;
  private _trans: TranslationBundle;
  private _addButton: HTMLButtonElement;
  private _list: HTMLUListElement;
  private _active = 'main.py';
  private _fileOpened = new Signal<this, string>(this);
}
