import type { JobSummary } from '@jaxlab/schemas/contract';
import {
  JOB_STATUSES,
  deviceBadge,
  isFinalJobStatus,
  pythonCall,
  runtimeVersions
} from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import { formatDuration } from '../metrics/metrics-format.js';
import { regressionBadge } from '../experiments/regression-badge.js';
import { renderStatusBadge } from '../results/status-badge.js';
import { actionButton } from '../ui/action-button.js';
import { selectElement } from '../ui/select-element.js';
import { CommandIDs } from '../tokens.js';
import type { IRunFilters, JobsModel } from './jobs-model.js';
import { headlineMetrics } from './run-label.js';

/**
 * The runs sidebar: whose runs it shows (the current project, named, or
 * every project), filters (status, name, tag, argument, metric value), and
 * per run its state, name, the call as made, headline metrics, device
 * badge, tags, progress or place in the queue, with Open, Export and a box
 * to pick it for comparison (2 to 16 runs).
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
    this._header = document.createElement('div');
    this._list = document.createElement('div');
    this._list.className = 'jp-jaxlab-JobsPanel-list';
    this.node.append(this._header, this._filtersNode(), this._list);
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
    if (this.isDisposed) return;
    this._model.changed.disconnect(this._render, this);
    window.clearInterval(this._timer);
    super.dispose();
  }

  /** The filter inputs: built once, so typing never loses focus. */
  private _filtersNode(): HTMLElement {
    const trans = this._trans;
    const node = document.createElement('div');
    node.className = 'jp-jaxlab-JobsPanel-filters';
    const status = selectElement([
      ['', trans.__('any status')],
      ...JOB_STATUSES.map(value => [value, value.toLowerCase()] as const)
    ]);
    status.dataset.filter = 'status';
    status.title = trans.__('Status');
    const input = (
      filter: keyof IRunFilters,
      placeholder: string,
      title: string
    ): HTMLInputElement => {
      const el = document.createElement('input');
      el.dataset.filter = filter;
      el.placeholder = placeholder;
      el.title = title;
      el.spellcheck = false;
      return el;
    };
    node.append(
      status,
      input('q', trans.__('name'), trans.__('Name contains')),
      input('tag', trans.__('tag'), trans.__('Has this tag')),
      input(
        'args',
        "lr=0.1 opt='adam'",
        trans.__('Called with these arguments (space separated)')
      ),
      input(
        'metric',
        'loss<0.5',
        trans.__('A metric compared with a number: < <= = >= >')
      )
    );
    return node;
  }

  private _render(): void {
    const trans = this._trans;
    const model = this._model;
    const picked = model.selected.length;
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('Runs');
    const scope = selectElement(
      [
        [
          'project',
          model.projectName
            ? trans.__('Project: %1', model.projectName)
            : trans.__('This project')
        ],
        ['all', trans.__('All projects')]
      ],
      model.scope
    );
    scope.dataset.role = 'scope';
    scope.title = trans.__('Whose runs to list');
    const compare = button(trans.__('Compare (%1)', picked), 'compare');
    compare.classList.add('jp-jaxlab-CompareButton');
    compare.title = trans.__(
      'Tick 2 to 16 runs, then compare their curves, settings and code'
    );
    compare.disabled = picked < 2;
    const refresh = button(trans.__('Refresh'), 'refresh');
    const board = button(trans.__('Leaderboard'), 'leaderboard');
    board.title = trans.__("Rank this project's runs by a metric");
    board.disabled = !model.projectId;
    const sweep = button(trans.__('Sweep…'), 'new-sweep');
    sweep.title = trans.__(
      "Run the run settings' function over a grid or random search of its arguments"
    );
    sweep.disabled = !model.projectId;
    const row = document.createElement('div');
    row.className = 'jp-jaxlab-JobsPanel-header';
    row.append(h2, scope, compare, board, sweep, refresh);
    const showing = document.createElement('div');
    showing.className = 'jp-jaxlab-JobsPanel-showing';
    showing.textContent =
      model.scope === 'all'
        ? trans.__('Showing runs of all your projects')
        : model.projectName
          ? trans.__('Showing runs of “%1”', model.projectName)
          : '';
    this._header.replaceChildren(row, showing);

    const items: HTMLElement[] = [];
    if (model.scope === 'project' && !model.projectId) {
      items.push(
        note(
          trans.__(
            'Open a JAX TPU Lab project to see its runs, or list all projects.'
          )
        )
      );
    } else if (model.error) {
      items.push(note(model.error));
    } else if (!model.jobs.length) {
      items.push(
        note(trans.__('No runs match. Press Run in a project to start one.'))
      );
    }
    const list = document.createElement('ul');
    list.className = 'jp-jaxlab-JobList';
    for (const job of model.jobs) list.appendChild(this._item(job));
    this._list.replaceChildren(...items, list);
  }

  private _item(job: JobSummary): HTMLLIElement {
    const trans = this._trans;
    const model = this._model;
    const li = document.createElement('li');
    li.className = 'jp-jaxlab-JobItem';
    li.dataset.jobId = job.id;
    const check = document.createElement('input');
    check.type = 'checkbox';
    check.checked = model.selected.includes(job.id);
    check.title = trans.__('Pick for comparison');
    check.dataset.jobId = job.id;
    const badge = document.createElement('span');
    renderStatusBadge(badge, trans, job.status, job.phases);
    const title = document.createElement('span');
    title.className = 'jp-jaxlab-JobItem-title';
    const call = pythonCall(job.entrypoint, job.args);
    title.textContent = job.name || call;
    title.title = job.name ? `${job.name}\n${call}` : call;
    const started = job.startedAt ?? job.createdAt;
    const when = document.createElement('span');
    when.className = 'jp-jaxlab-JobItem-when';
    when.textContent = new Date(job.createdAt).toLocaleTimeString();
    when.title = new Date(job.createdAt).toLocaleString();
    const duration = document.createElement('span');
    duration.className = 'jp-jaxlab-JobItem-duration';
    duration.textContent = job.finishedAt
      ? formatDuration(Date.parse(job.finishedAt) - Date.parse(job.createdAt))
      : '…';
    duration.title = trans.__(
      'From submission to the end (started %1)',
      new Date(started).toLocaleTimeString()
    );
    const first = document.createElement('div');
    first.className = 'jp-jaxlab-JobItem-row';
    first.append(check, badge, title);
    if (job.regression) first.append(regressionBadge(job.regression, trans));

    const detail = document.createElement('div');
    detail.className = 'jp-jaxlab-JobItem-metrics';
    const parts: string[] = [];
    if (job.name) parts.push(call);
    if (model.scope === 'all')
      parts.push(model.projectNameOf(job.projectId) || trans.__('no project'));
    if (job.status === 'QUEUED' && job.queuePosition) {
      parts.push(
        job.queuePosition === 1
          ? trans.__('next in queue')
          : trans.__('#%1 in queue', job.queuePosition)
      );
    } else if (job.status === 'FAILED' && job.failure) {
      parts.push(`${job.failure.reason}: ${job.failure.message}`);
    } else if (!isFinalJobStatus(job.status) && job.progress) {
      const total = job.progress.totalSteps;
      parts.push(
        total
          ? `${Math.min(job.progress.step + 1, total)}/${total}`
          : `step ${job.progress.step}`
      );
    }
    const headline = headlineMetrics(job);
    if (headline) parts.push(headline);
    detail.textContent = parts.join(' · ');
    detail.title = detail.textContent;
    const second = document.createElement('div');
    second.className = 'jp-jaxlab-JobItem-row jp-jaxlab-JobItem-detail';
    second.append(when, duration, detail);

    const device = document.createElement('span');
    device.className = 'jp-jaxlab-DeviceBadge';
    device.textContent = deviceBadge(job);
    device.title = runtimeVersions(job.manifest);
    const tags = document.createElement('span');
    tags.className = 'jp-jaxlab-JobItem-tags';
    // A sweep trial's own tag (sweep:<id>:<index>) is for the scheduler.
    for (const tag of (job.tags ?? []).filter(
      t => !/^sweep:[^:]+:\d+$/.test(t)
    )) {
      const chip = document.createElement('span');
      chip.className = 'jp-jaxlab-Tag';
      chip.textContent = tag;
      chip.title = tag;
      const sweep = /^sweep:([^:]+)$/.exec(tag);
      if (sweep) {
        // The sweep's tag opens its view.
        const open = button(
          trans.__('sweep …%1', sweep[1].slice(-6)),
          'open-sweep',
          job.id,
          false,
          true
        );
        open.dataset.sweepId = sweep[1];
        open.title = trans.__(
          'Open the sweep this run is a trial of (%1)',
          tag
        );
        tags.appendChild(open);
        continue;
      }
      tags.appendChild(chip);
    }
    const actions = document.createElement('span');
    actions.className = 'jp-jaxlab-JobItem-actions';
    actions.append(
      button(trans.__('Open'), 'open', job.id, false, true),
      button(
        trans.__('Export'),
        'export',
        job.id,
        !isFinalJobStatus(job.status),
        true
      )
    );
    const third = document.createElement('div');
    third.className =
      'jp-jaxlab-JobItem-row jp-jaxlab-JobItem-detail jp-jaxlab-JobItem-badges';
    third.append(device, tags, actions);
    li.append(first, second, third);
    return li;
  }

  private _poll = (): void => {
    if (this._model.jobs.some(job => !isFinalJobStatus(job.status))) {
      void this._model.refresh();
    }
  };

  private _onChange = (event: Event): void => {
    const input = event.target as HTMLInputElement | HTMLSelectElement;
    if (
      input instanceof HTMLInputElement &&
      input.type === 'checkbox' &&
      input.dataset.jobId
    ) {
      this._model.toggle(input.dataset.jobId);
    } else if (input.dataset.role === 'scope') {
      this._model.scope = input.value as 'project' | 'all';
    } else if (input.dataset.filter) {
      this._model.setFilters({ [input.dataset.filter]: input.value });
    }
  };

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-action]'
    );
    if (!target) return;
    const jobId = target.dataset.jobId ?? '';
    switch (target.dataset.action) {
      case 'refresh':
        void this._model.refresh();
        break;
      case 'compare':
        void this._commands.execute(CommandIDs.compareJobs, {
          jobs: [...this._model.selected]
        });
        break;
      case 'open':
        void this._commands.execute(CommandIDs.openJob, { jobId });
        break;
      case 'export':
        void this._commands.execute(CommandIDs.exportNotebook, { jobId });
        break;
      case 'leaderboard':
        void this._commands.execute(CommandIDs.openLeaderboard, {
          projectId: this._model.projectId ?? ''
        });
        break;
      case 'new-sweep':
        void this._commands.execute(CommandIDs.newSweep, {
          projectId: this._model.projectId ?? ''
        });
        break;
      case 'open-sweep':
        void this._commands.execute(CommandIDs.openSweep, {
          sweepId: target.dataset.sweepId ?? ''
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
  private _header: HTMLDivElement;
  private _list: HTMLDivElement;
  private _timer = 0;
}

function note(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'jp-jaxlab-JobsPanel-note';
  p.textContent = text;
  return p;
}

function button(
  label: string,
  name: string,
  jobId = '',
  disabled = false,
  link = false
): HTMLButtonElement {
  return actionButton(label, name, {
    look: link ? 'link' : 'plain',
    data: jobId ? { jobId } : {},
    disabled
  });
}
