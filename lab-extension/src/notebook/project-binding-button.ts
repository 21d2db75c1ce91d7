import type { Project } from '@jaxlab/schemas/contract';
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import type { ApiClient } from '../api/api-client.js';
import type { NotebookBinding } from './notebook-binding.js';
import { errorText } from '../ui/error-text.js';

/**
 * The notebook toolbar's project item: “Project: <name>” (with the state of
 * its files in the kernel) or “Bind to project…”. Clicking it lists the
 * user's projects to bind the notebook to (or to unbind it), and puts the
 * files of the chosen one in the kernel again.
 */
export class ProjectBindingButton extends Widget {
  constructor(
    binding: NotebookBinding,
    client: () => ApiClient,
    trans: TranslationBundle
  ) {
    super({ node: document.createElement('button') });
    this.addClass('jp-jaxlab-NotebookProject');
    this.addClass('jp-ToolbarButtonComponent');
    this._binding = binding;
    this._client = client;
    this._trans = trans;
    binding.changed.connect(this._update, this);
    this._update();
  }

  /** Asks which of the user's projects to bind the notebook to. */
  async choose(): Promise<void> {
    const trans = this._trans;
    let projects: Project[];
    try {
      projects = await this._client().listProjects();
    } catch (error) {
      await showErrorMessage(
        trans.__('Cannot list your projects'),
        errorText(error)
      );
      return;
    }
    const body = new ProjectChoice(projects, this._binding.projectId, trans);
    const result = await showDialog({
      title: trans.__('Bind this notebook to a project'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Bind') })
      ]
    });
    if (!result.button.accept) return;
    const chosen = projects.find(p => p.id === result.value) ?? null;
    await this._binding.bind(chosen);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._binding.changed.disconnect(this._update, this);
    super.dispose();
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
  }

  private _onClick = (): void => {
    void this.choose();
  };

  private _update(): void {
    const trans = this._trans;
    const binding = this._binding;
    const name = binding.projectName ?? binding.projectId;
    this.node.textContent = name
      ? trans.__('Project: %1', name)
      : trans.__('Bind to project…');
    this.node.dataset.state = binding.state;
    const what: Record<string, string> = {
      unbound: trans.__(
        "Bind this notebook to one of your projects: its files go into the kernel's folder, so main() in a cell runs the project."
      ),
      syncing: trans.__("Putting the project's files in the kernel…"),
      synced: binding.message,
      error: trans.__(
        "The project's files could not be put in the kernel: %1",
        binding.message
      )
    };
    this.node.title = what[binding.state] || trans.__('Change the project');
  }

  private _binding: NotebookBinding;
  private _client: () => ApiClient;
  private _trans: TranslationBundle;
}

/** The dialog body: the user's projects as a list, and “no project”. */
class ProjectChoice extends Widget implements Dialog.IBodyWidget<string> {
  constructor(
    projects: Project[],
    current: string | null,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-jaxlab-ProjectChoice');
    this._select = document.createElement('select');
    this._select.className = 'jp-mod-styled';
    const none = new Option(trans.__('No project (unbind)'), '');
    this._select.add(none);
    for (const project of projects) {
      this._select.add(new Option(project.name, project.id));
    }
    this._select.value = current ?? projects[0]?.id ?? '';
    const label = document.createElement('label');
    label.textContent = trans.__(
      "The project's files are put in the kernel's folder whenever the kernel starts and whenever you save the project."
    );
    label.appendChild(this._select);
    this.node.appendChild(label);
  }

  getValue(): string {
    return this._select.value;
  }

  private _select: HTMLSelectElement;
}
