import type { Project, SampleInfo } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import type { JaxLabConnection } from '../connection/connection.js';
import { actionButton } from '../ui/action-button.js';
import { readmeSummary, withInlineCode } from './readme-summary.js';
import { errorText } from '../ui/error-text.js';

/**
 * The “JAX TPU Lab” start page: the user's projects, and the sample
 * problems to start a new one from. Choosing one emits
 * {@link ProjectPicker.projectChosen} with the project.
 */
export class ProjectPicker extends Widget {
  /** Make a picker; call {@link ProjectPicker.refresh} to fill it. */
  constructor(connection: JaxLabConnection, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-ProjectPicker');
    this.id = 'jp-jaxlab-project-picker';
    this.title.label = 'JAX TPU Lab';
    this.title.closable = true;
    this._connection = connection;
    this._trans = trans;
  }

  /** Emitted when the user opens or creates a project. */
  get projectChosen(): ISignal<this, Project> {
    return this._projectChosen;
  }

  /** Load projects and samples and redraw. */
  async refresh(): Promise<void> {
    const trans = this._trans;
    const client = this._connection.client;
    this._message = '';
    try {
      [this._projects, this._samples] = await Promise.all([
        client.listProjects(),
        client.listSamples()
      ]);
    } catch (error) {
      const e = error as Error & { code?: string; hint?: string };
      this._projects = [];
      this._samples = [];
      this._message =
        e.code === 'UNAUTHORIZED'
          ? trans.__(
              'Sign in first: use “Sign In” in the top bar, then press Refresh.'
            )
          : errorText(e);
    }
    this._render();
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
    void this.refresh();
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
  }

  private _render(): void {
    const trans = this._trans;
    const root = document.createElement('div');
    root.className = 'jp-jaxlab-ProjectPicker-content';
    const h1 = document.createElement('h1');
    h1.textContent = trans.__('JAX TPU Lab');
    const lead = document.createElement('p');
    lead.textContent = trans.__(
      'Write, review and run JAX code on accelerator hosts.'
    );
    const refresh = button(trans.__('Refresh'), 'refresh', '');
    root.append(h1, lead, refresh);
    if (this._message) {
      const p = document.createElement('p');
      p.className = 'jp-jaxlab-ProjectPicker-message';
      p.textContent = this._message;
      root.appendChild(p);
    }
    root.appendChild(heading(trans.__('Your projects')));
    const projects = document.createElement('ul');
    projects.className = 'jp-jaxlab-CardList';
    if (!this._projects.length) {
      const li = document.createElement('li');
      li.className = 'jp-jaxlab-Card-empty';
      li.textContent = trans.__(
        'No projects yet: start one from a sample below.'
      );
      projects.appendChild(li);
    }
    for (const project of this._projects) {
      projects.appendChild(
        card(
          project.name,
          readmeSummary(project.readme),
          button(trans.__('Open'), 'open', project.id),
          button(trans.__('Rename'), 'rename', project.id, true),
          button(trans.__('Delete'), 'delete', project.id, true)
        )
      );
    }
    root.appendChild(projects);
    root.appendChild(heading(trans.__('Start from a sample')));
    const samples = document.createElement('ul');
    samples.className = 'jp-jaxlab-CardList';
    for (const sample of this._samples) {
      samples.appendChild(
        card(
          sample.title,
          sample.description,
          button(trans.__('Create project'), 'create', sample.id)
        )
      );
    }
    root.appendChild(samples);
    this.node.replaceChildren(root);
  }

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-action]'
    );
    if (!target) {
      return;
    }
    const { action, id } = target.dataset;
    if (action === 'refresh') {
      void this.refresh();
    } else if (action === 'open') {
      const project = this._projects.find(p => p.id === id);
      if (project) {
        this._projectChosen.emit(project);
      }
    } else if (action === 'rename' && id) {
      void this._rename(id);
    } else if (action === 'delete' && id) {
      void this._delete(id);
    } else if (action === 'create' && id) {
      target.disabled = true;
      // The server names it after the sample, (2), (3), ... when taken.
      this._connection.client
        .createProject({ sample: id })
        .then(project => {
          this._projectChosen.emit(project);
          return this.refresh();
        })
        .catch((error: Error) => {
          this._message = error.message;
          this._render();
        });
    }
  };

  private async _rename(id: string): Promise<void> {
    const trans = this._trans;
    const project = this._projects.find(p => p.id === id);
    const answer = await InputDialog.getText({
      title: trans.__('Rename project'),
      label: trans.__('New name'),
      text: project?.name ?? ''
    });
    const name = answer.value?.trim();
    if (!answer.button.accept || !name) return;
    try {
      await this._connection.client.updateProject(id, {
        name: name.slice(0, 200)
      });
      this._renamed.emit({ id, name });
    } catch (error) {
      this._message = (error as Error).message;
    }
    await this.refresh();
  }

  private async _delete(id: string): Promise<void> {
    const trans = this._trans;
    const project = this._projects.find(p => p.id === id);
    const answer = await showDialog({
      title: trans.__('Delete project'),
      body: trans.__(
        'Delete “%1”? Its files are gone for good; its runs stay listed under all projects.',
        project?.name ?? id
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) return;
    try {
      await this._connection.client.deleteProject(id);
      this._deleted.emit(id);
    } catch (error) {
      this._message = (error as Error).message;
    }
    await this.refresh();
  }

  /** Emitted after a project was renamed here. */
  get renamed(): ISignal<this, { id: string; name: string }> {
    return this._renamed;
  }

  /** Emitted after a project was deleted here. */
  get deleted(): ISignal<this, string> {
    return this._deleted;
  }

  private _renamed = new Signal<this, { id: string; name: string }>(this);
  private _deleted = new Signal<this, string>(this);
  private _connection: JaxLabConnection;
  private _trans: TranslationBundle;
  private _projects: Project[] = [];
  private _samples: SampleInfo[] = [];
  private _message = '';
  private _projectChosen = new Signal<this, Project>(this);
}

function heading(text: string): HTMLElement {
  const h2 = document.createElement('h2');
  h2.textContent = text;
  return h2;
}

function button(
  label: string,
  action: string,
  id: string,
  secondary = false
): HTMLButtonElement {
  return actionButton(label, action, {
    look: secondary ? 'plain' : 'accept',
    data: { id }
  });
}

function card(
  title: string,
  text: string,
  ...actions: HTMLElement[]
): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'jp-jaxlab-Card';
  const h3 = document.createElement('h3');
  h3.textContent = title;
  const p = document.createElement('p');
  p.append(...withInlineCode(text));
  const row = document.createElement('div');
  row.className = 'jp-jaxlab-Card-actions';
  row.append(...actions);
  li.append(h3, p, row);
  return li;
}
