import {
  CodeEditorWrapper,
  type IEditorServices
} from '@jupyterlab/codeeditor';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { TabPanel, type Widget } from '@lumino/widgets';

import { ProportionalSplitPanel } from '../ui/proportional-split-panel.js';
import { bindUndoKeys } from './editor-undo.js';
import { FileList } from './file-list.js';
import type { ProjectModel } from './project-model.js';

/**
 * A project's files: the {@link FileList} beside tabs of JupyterLab's
 * editor (CodeMirror) — main.py, README.md (rendered, read-only) and
 * requirements.txt always open, each other file opened from the list — in
 * one split panel. Tabs follow the project: a renamed file's tab is
 * renamed, a deleted file's tab closes.
 */
export class ProjectFiles extends ProportionalSplitPanel {
  constructor(options: ProjectFiles.IOptions) {
    super({ orientation: 'horizontal', spacing: 1, proportions: [1, 4] });
    const { model, editorServices, rendermime, trans } = options;
    this.addClass('jp-jaxlab-ProjectFiles');
    this._model = model;
    this._factory = editorServices.factoryService.newDocumentEditor;

    this._list = new FileList(model, trans);
    this._tabs = new TabPanel({ tabsMovable: false });
    this._tabs.addClass('jp-jaxlab-Files');

    this.mainPyEditor = this._editor('main.py', model.mainPy, {
      lineNumbers: true
    });
    this.mainPyEditor.title.caption = trans.__(
      'main.py: definitions only; Run calls the function the run settings name'
    );
    const readme = rendermime.createRenderer('text/markdown');
    readme.addClass('jp-jaxlab-Readme');
    readme.title.label = 'README.md';
    readme.title.caption = trans.__('The problem statement (read-only)');
    readme.id = tabId(model, 'README.md');
    void readme.renderModel(
      rendermime.createModel({
        data: { 'text/markdown': model.project.readme },
        trusted: false
      })
    );
    const requirements = this._editor('requirements.txt', model.requirements);
    requirements.title.caption = trans.__(
      'One PEP 508 requirement per line; wheels only'
    );
    this._tabs.addWidget(this.mainPyEditor);
    this._tabs.addWidget(readme);
    this._tabs.addWidget(requirements);

    this.addWidget(this._list);
    this.addWidget(this._tabs);
    this._list.fileOpened.connect((_, path) => this.open(path), this);
    this._tabs.currentChanged.connect(this._onCurrent, this);
    model.filesChanged.connect(this._onFilesChanged, this);
  }

  /** The main.py editor. */
  readonly mainPyEditor: CodeEditorWrapper;

  /** The list of files. */
  get fileList(): FileList {
    return this._list;
  }

  /** The editor tabs. */
  get tabs(): TabPanel {
    return this._tabs;
  }

  /**
   * Shows `path` (opening a tab for one of the project's other files);
   * resolves with its editor, or null for README.md or a missing file.
   */
  open(path: string): CodeEditorWrapper | null {
    let tab = this._tab(path);
    if (!tab) {
      const model = this._model.fileModel(path);
      if (!model) return null;
      // A tab closed earlier comes back with its editor state.
      let wrapper = this._opened.get(model);
      if (!wrapper) {
        wrapper = this._editor(path, model, { lineNumbers: true });
        wrapper.title.caption = path;
        wrapper.title.closable = true;
        this._opened.set(model, wrapper);
      }
      this._tabs.addWidget(wrapper);
      tab = wrapper;
    }
    this._tabs.currentWidget = tab;
    return tab instanceof CodeEditorWrapper ? tab : null;
  }

  /** Shows `path` with the cursor at `line` (1-based) and the focus in it. */
  goTo(path: string, line: number, column = 1): void {
    const wrapper = this.open(path);
    if (!wrapper) return;
    const editor = wrapper.editor;
    const position = {
      line: Math.max(0, Math.min(line - 1, editor.lineCount - 1)),
      column: Math.max(0, column - 1)
    };
    editor.setCursorPosition(position);
    editor.revealPosition(position);
    editor.focus();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._model.filesChanged.disconnect(this._onFilesChanged, this);
    for (const wrapper of this._opened.values()) wrapper.dispose();
    this._opened.clear();
    super.dispose();
  }

  private _editor(
    path: string,
    model: CodeEditorWrapper['model'],
    config: Record<string, unknown> = {}
  ): CodeEditorWrapper {
    const wrapper = new CodeEditorWrapper({
      factory: this._factory,
      model,
      editorOptions: { config }
    });
    wrapper.addClass('jp-jaxlab-Editor');
    wrapper.id = tabId(this._model, path);
    wrapper.title.label = path;
    wrapper.node.dataset.path = path;
    // The keys' listener lives on the wrapper's node, and goes with it.
    bindUndoKeys(wrapper);
    return wrapper;
  }

  private _tab(path: string): Widget | undefined {
    return this._tabs.widgets.find(w => w.title.label === path);
  }

  private _onCurrent(): void {
    const label = this._tabs.currentWidget?.title.label;
    if (label) this._list.setActive(label);
  }

  /** Renamed files keep their editor (their model moved); deleted ones close. */
  private _onFilesChanged(): void {
    for (const [model, wrapper] of [...this._opened]) {
      const path = this._model.filePaths.find(
        p => this._model.fileModel(p) === model
      );
      if (path === undefined) {
        this._opened.delete(model);
        wrapper.dispose();
      } else if (wrapper.title.label !== path) {
        wrapper.title.label = path;
        wrapper.title.caption = path;
        wrapper.node.dataset.path = path;
      }
    }
    this._onCurrent();
  }

  private _model: ProjectModel;
  private _factory: IEditorServices['factoryService']['newDocumentEditor'];
  private _list: FileList;
  private _opened = new Map<CodeEditorWrapper['model'], CodeEditorWrapper>();
  private _tabs: TabPanel;
}

/** Statics of {@link ProjectFiles}. */
export namespace ProjectFiles {
  /** Options of {@link ProjectFiles}. */
  export interface IOptions {
    model: ProjectModel;
    editorServices: IEditorServices;
    rendermime: IRenderMimeRegistry;
    trans: TranslationBundle;
  }
}

/** A DOM id for a file's tab, unique per project. */
function tabId(model: ProjectModel, path: string): string {
  return `jp-jaxlab-file-${model.project.id}-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
