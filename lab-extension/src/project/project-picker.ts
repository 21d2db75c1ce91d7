import type { Project, SampleInfo } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import type { JaxLabConnection } from '../connection/connection.js';

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
          : `${e.message} ${e.hint ?? ''}`;
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
          firstLine(project.readme),
          button(trans.__('Open'), 'open', project.id)
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
    } else if (action === 'create' && id) {
      target.disabled = true;
      const sample = this._samples.find(s => s.id === id);
      this._connection.client
        .createProject({
          name: sample?.title ?? id,
          sample: id
        })
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

function button(label: string, action: string, id: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = 'jp-jaxlab-Button jp-mod-accept';
  b.textContent = label;
  b.dataset.action = action;
  b.dataset.id = id;
  return b;
}

function card(title: string, text: string, action: HTMLElement): HTMLLIElement {
  const li = document.createElement('li');
  li.className = 'jp-jaxlab-Card';
  const h3 = document.createElement('h3');
  h3.textContent = title;
  const p = document.createElement('p');
  p.textContent = text;
  li.append(h3, p, action);
  return li;
}

function firstLine(markdown: string): string {
  const line =
    markdown.split('\n').find(l => l.trim() && !l.startsWith('#')) ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
