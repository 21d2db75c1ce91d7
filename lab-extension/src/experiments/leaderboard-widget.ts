import type { Baseline, Leaderboard } from '@jaxlab/schemas/contract';
import { pythonCall } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';
import type { ApiClient } from '../api/api-client.js';
import type { ILeaderboardQuery } from '../api/api-queries.js';
import { formatValue } from '../metrics/metrics-format.js';
import { CommandIDs } from '../tokens.js';
import { regressionBadge } from './regression-badge.js';

/** Options of {@link LeaderboardWidget}. */
export interface ILeaderboardWidgetOptions {
  client: () => ApiClient;
  projectId: string;
  projectName: string;
  commands: CommandRegistry;
  trans: TranslationBundle;
}

/**
 * A project's leaderboard: its completed runs ranked by a metric (min or
 * max), filtered by tag, argument, dates and accelerator, with a CSV
 * download; each row opens its run or sets it as the project's regression
 * baseline for the ranked metric, with the tolerance chosen above.
 */
export class LeaderboardWidget extends Widget {
  constructor(options: ILeaderboardWidgetOptions) {
    super();
    this._options = options;
    this.addClass('jp-jaxlab-Leaderboard');
    this.id = `jp-jaxlab-leaderboard-${options.projectId}`;
    this.title.label = options.trans.__('Leaderboard: %1', options.projectName);
    this.title.closable = true;
    this._form = this._renderForm();
    this._status = document.createElement('p');
    this._status.className = 'jp-jaxlab-Leaderboard-status';
    this._table = document.createElement('div');
    this.node.append(this._form, this._status, this._table);
  }

  /** Loads the board with the form's settings (and the baseline). */
  async refresh(): Promise<void> {
    const { client, projectId, trans } = this._options;
    const query = this._query();
    if (!query.metric) {
      this._status.textContent = trans.__('Choose a metric to rank by.');
      return;
    }
    try {
      const [board, baseline] = await Promise.all([
        client().getLeaderboard(projectId, query),
        client()
          .getBaseline(projectId)
          .catch(() => null)
      ]);
      this._render(board, baseline);
    } catch (error) {
      this._status.textContent = (error as Error).message;
      this._table.replaceChildren();
    }
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
    this.node.addEventListener('change', this._onChange);
    void this.refresh();
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
    this.node.removeEventListener('change', this._onChange);
  }

  private _renderForm(): HTMLFormElement {
    const trans = this._options.trans;
    const form = document.createElement('form');
    form.className = 'jp-jaxlab-Leaderboard-form';
    const field = (
      name: string,
      label: string,
      control: HTMLElement
    ): HTMLLabelElement => {
      const l = document.createElement('label');
      l.append(label, control);
      control.setAttribute('name', name);
      return l;
    };
    const input = (
      value = '',
      placeholder = '',
      type = 'text'
    ): HTMLInputElement => {
      const i = document.createElement('input');
      i.type = type;
      i.value = value;
      i.placeholder = placeholder;
      return i;
    };
    const select = (options: [string, string][]): HTMLSelectElement => {
      const s = document.createElement('select');
      for (const [value, text] of options) s.add(new Option(text, value));
      return s;
    };
    const csv = document.createElement('a');
    csv.className = 'jp-jaxlab-Button jp-jaxlab-Leaderboard-csv';
    csv.textContent = trans.__('Download CSV');
    csv.dataset.role = 'csv';
    form.append(
      field('metric', trans.__('Metric'), input('loss', 'loss')),
      field(
        'direction',
        trans.__('Best'),
        select([
          ['min', trans.__('lowest')],
          ['max', trans.__('highest')]
        ])
      ),
      field('tag', trans.__('Tag'), input('', 'baseline')),
      field('arg', trans.__('Argument'), input('', 'lr=0.1')),
      field('from', trans.__('From'), input('', '', 'date')),
      field('to', trans.__('Before'), input('', '', 'date')),
      field(
        'accelerator',
        trans.__('Device'),
        select([
          ['', trans.__('any')],
          ['cpu', 'CPU'],
          ['gpu', 'GPU'],
          ['tpu', 'TPU']
        ])
      ),
      field(
        'tolerance',
        trans.__('Baseline tolerance'),
        input('5', '', 'number')
      ),
      field(
        'toleranceKind',
        '',
        select([
          ['relative', '%'],
          ['absolute', trans.__('absolute')]
        ])
      ),
      csv
    );
    form.addEventListener('submit', event => event.preventDefault());
    return form;
  }

  private _value(name: string): string {
    const control = this._form.querySelector<
      HTMLInputElement | HTMLSelectElement
    >(`[name="${name}"]`);
    return control?.value.trim() ?? '';
  }

  private _query(): ILeaderboardQuery {
    return {
      metric: this._value('metric'),
      direction: this._value('direction') === 'max' ? 'max' : 'min',
      tag: this._value('tag') || undefined,
      arg: this._value('arg') ? [this._value('arg')] : undefined,
      from: this._value('from') || undefined,
      to: this._value('to') || undefined,
      accelerator: this._value('accelerator') || undefined,
      limit: 500
    };
  }

  private _render(board: Leaderboard, baseline: Baseline | null): void {
    const { trans, client, projectId } = this._options;
    const csv =
      this._form.querySelector<HTMLAnchorElement>('[data-role="csv"]')!;
    csv.href = client().leaderboardCsvUrl(projectId, this._query());
    this._status.textContent =
      board.total > board.rows.length
        ? trans.__(
            '%1 runs ranked by %2; the best %3 shown.',
            board.total,
            board.metric,
            board.rows.length
          )
        : trans.__(
            '%1 runs ranked by %2 (%3 is best).',
            board.total,
            board.metric,
            board.direction === 'min' ? trans.__('lowest') : trans.__('highest')
          );
    const table = document.createElement('table');
    table.className = 'jp-jaxlab-Table jp-jaxlab-Leaderboard-table';
    const head = table.createTHead().insertRow();
    for (const text of [
      '#',
      board.metric,
      trans.__('Run'),
      trans.__('Tags'),
      trans.__('Device'),
      trans.__('Created'),
      trans.__('Regression'),
      ''
    ]) {
      const th = document.createElement('th');
      th.textContent = text;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of board.rows) {
      const tr = body.insertRow();
      tr.dataset.jobId = row.job.id;
      if (baseline?.jobId === row.job.id)
        tr.classList.add('jp-jaxlab-mod-baseline');
      const call = pythonCall(row.job.entrypoint, row.job.args);
      const cells: (string | HTMLElement)[] = [
        String(row.rank),
        formatValue(board.metric, row.value),
        row.job.name ? `${row.job.name} · ${call}` : call,
        // A sweep trial's own tag says nothing the run name does not.
        (row.job.tags ?? [])
          .filter(t => !/^sweep:[^:]+:\d+$/.test(t))
          .join(' '),
        row.job.accelerator.toUpperCase(),
        new Date(row.job.createdAt).toLocaleString(),
        baseline?.jobId === row.job.id
          ? trans.__('baseline')
          : row.job.regression
            ? regressionBadge(row.job.regression, trans)
            : '',
        actions(row.job.id, trans)
      ];
      for (const cell of cells) tr.insertCell().append(cell);
    }
    this._table.replaceChildren(table);
  }

  private _onChange = (): void => {
    void this.refresh();
  };

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-action]'
    );
    if (!target) return;
    const jobId = target.dataset.jobId ?? '';
    if (target.dataset.action === 'open') {
      void this._options.commands.execute(CommandIDs.openJob, { jobId });
    } else if (target.dataset.action === 'baseline') {
      void this._setBaseline(jobId);
    }
  };

  private async _setBaseline(jobId: string): Promise<void> {
    const { client, projectId } = this._options;
    const query = this._query();
    const kind =
      this._value('toleranceKind') === 'absolute' ? 'absolute' : 'relative';
    const amount = Math.max(0, Number(this._value('tolerance')) || 0);
    try {
      await client().setBaseline(projectId, {
        jobId,
        metrics: [
          {
            name: query.metric,
            direction: query.direction,
            tolerance: {
              kind,
              value: kind === 'relative' ? amount / 100 : amount
            }
          }
        ]
      });
      await this.refresh();
    } catch (error) {
      this._status.textContent = (error as Error).message;
    }
  }

  private _options: ILeaderboardWidgetOptions;
  private _form: HTMLFormElement;
  private _status: HTMLParagraphElement;
  private _table: HTMLDivElement;
}

function actions(jobId: string, trans: TranslationBundle): HTMLElement {
  const span = document.createElement('span');
  for (const [action, label, title] of [
    ['open', trans.__('Open'), trans.__('Open the run')],
    [
      'baseline',
      trans.__('Set as baseline'),
      trans.__(
        'Check every finished run of the project against this one, for the ranked metric with the tolerance above'
      )
    ]
  ]) {
    const b = document.createElement('button');
    b.className = 'jp-jaxlab-Button jp-jaxlab-LinkButton';
    b.textContent = label;
    b.title = title;
    b.dataset.action = action;
    b.dataset.jobId = jobId;
    span.appendChild(b);
  }
  return span;
}
