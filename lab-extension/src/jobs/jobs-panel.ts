import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import { isFinalJobStatus } from '@jaxlab/schemas/contract';
import { formatDuration, keyMetrics } from '../metrics/metrics-format.js';
import { renderStatusBadge } from '../results/status-badge.js';
import { CommandIDs } from '../tokens.js';
import type { JobsModel } from './jobs-model.js';

/**
 * Left-sidebar list of the current project's runs: status, start, duration
 * and key metrics, with Open, Export and a checkbox to compare two.
 */
export class JobsPanel extends Widget {
  /** Make a panel over `model`; buttons run `commands`. */
  constructor(
    model: JobsModel,
    commands: CommandRegistry,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-jaxlab-JobsPanel');
    this.id = 'jp-jaxlab-jobs';
    this.title.caption = trans.__('JAX TPU Lab runs');
    this._model = model;
    this._commands = commands;
    this._trans = trans;
    model.changed.connect(this._render, this);
    this._render();
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
    this.node.addEventListener('change', this._onChange);
    this._timer = window.setInterval(this._poll, 3000);
    void this._model.refresh();
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
    this.node.removeEventListener('change', this._onChange);
    window.clearInterval(this._timer);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.changed.disconnect(this._render, this);
    window.clearInterval(this._timer);
    super.dispose();
  }

  private _render(): void {
    const trans = this._trans;
    const model = this._model;
    const root = document.createElement('div');
    const header = document.createElement('div');
    header.className = 'jp-jaxlab-JobsPanel-header';
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('Runs');
    const compare = document.createElement('button');
    compare.className = 'jp-jaxlab-Button jp-jaxlab-CompareButton';
    compare.dataset.action = 'compare';
    compare.textContent = trans.__('Compare');
    compare.title = trans.__(
      'Tick two runs, then compare them side by side (%1/2 ticked)',
      model.selected.length
    );
    compare.disabled = model.selected.length !== 2;
    const refresh = document.createElement('button');
    refresh.className = 'jp-jaxlab-Button';
    refresh.dataset.action = 'refresh';
    refresh.textContent = trans.__('Refresh');
    header.append(h2, compare, refresh);
    root.appendChild(header);
    if (!model.projectId) {
      root.appendChild(
        note(trans.__('Open a JAX TPU Lab project to see its runs.'))
      );
    } else if (model.error) {
      root.appendChild(note(model.error));
    } else if (!model.jobs.length) {
      root.appendChild(note(trans.__('No runs yet. Press “Run on TPU”.')));
    }
    const list = document.createElement('ul');
    list.className = 'jp-jaxlab-JobList';
    for (const job of model.jobs) {
      const li = document.createElement('li');
      li.className = 'jp-jaxlab-JobItem';
      li.dataset.jobId = job.id;
      const check = document.createElement('input');
      check.type = 'checkbox';
      check.checked = model.selected.includes(job.id);
      check.title = trans.__('Pick for comparison');
      check.dataset.jobId = job.id;
      const badge = document.createElement('span');
      renderStatusBadge(badge, trans, job.status);
      const when = document.createElement('span');
      when.className = 'jp-jaxlab-JobItem-when';
      const started = job.startedAt ?? job.createdAt;
      when.textContent = new Date(started).toLocaleTimeString();
      when.title = new Date(started).toLocaleString();
      const duration = document.createElement('span');
      duration.className = 'jp-jaxlab-JobItem-duration';
      duration.textContent = job.finishedAt
        ? formatDuration(Date.parse(job.finishedAt) - Date.parse(started))
        : '…';
      const metrics = document.createElement('div');
      metrics.className = 'jp-jaxlab-JobItem-metrics';
      metrics.textContent =
        job.status === 'FAILED' && job.failure
          ? `${job.failure.reason}: ${job.failure.message}`
          : keyMetrics(job.metrics);
      metrics.title = metrics.textContent;
      const actions = document.createElement('span');
      actions.className = 'jp-jaxlab-JobItem-actions';
      actions.append(
        action(trans.__('Open'), 'open', job.id),
        action(
          trans.__('Export'),
          'export',
          job.id,
          !isFinalJobStatus(job.status)
        )
      );
      const row = document.createElement('div');
      row.className = 'jp-jaxlab-JobItem-row';
      row.append(check, badge, when, duration);
      const second = document.createElement('div');
      second.className = 'jp-jaxlab-JobItem-row';
      second.append(metrics, actions);
      li.append(row, second);
      list.appendChild(li);
    }
    root.appendChild(list);
    this.node.replaceChildren(root);
  }

  private _poll = (): void => {
    if (this._model.jobs.some(job => !isFinalJobStatus(job.status))) {
      void this._model.refresh();
    }
  };

  private _onChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    if (input.type === 'checkbox' && input.dataset.jobId) {
      this._model.toggle(input.dataset.jobId);
    }
  };

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-action]'
    );
    if (!target) {
      return;
    }
    const jobId = target.dataset.jobId;
    switch (target.dataset.action) {
      case 'refresh':
        void this._model.refresh();
        break;
      case 'compare': {
        const [a, b] = this._model.selected;
        void this._commands.execute(CommandIDs.compareJobs, { a, b });
        break;
      }
      case 'open':
        void this._commands.execute(CommandIDs.openJob, { jobId: jobId ?? '' });
        break;
      case 'export':
        void this._commands.execute(CommandIDs.exportNotebook, {
          jobId: jobId ?? ''
        });
        break;
      default:
        // A button without a known action: nothing to do.
        break;
    }
  };

  private _model: JobsModel;
  private _commands: CommandRegistry;
  private _trans: TranslationBundle;
  private _timer = 0;
}

function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'jp-jaxlab-JobsPanel-note';
  p.textContent = text;
  return p;
}

function action(
  label: string,
  name: string,
  jobId: string,
  disabled = false
): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = 'jp-jaxlab-Button jp-jaxlab-LinkButton';
  b.textContent = label;
  b.dataset.action = name;
  b.dataset.jobId = jobId;
  b.disabled = disabled;
  return b;
}
