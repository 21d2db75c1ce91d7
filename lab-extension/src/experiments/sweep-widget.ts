import type { SeriesData, Sweep, SweepTrial } from '@jaxlab/schemas/contract';
import { pythonLiteral } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Panel, Widget } from '@lumino/widgets';
import type { ApiClient } from '../api/api-client.js';
import { ChartsPanel } from '../charts/charts-panel.js';
import { formatValue } from '../metrics/metrics-format.js';
import { CommandIDs } from '../tokens.js';
import { drawParallelCoordinates } from './parallel-coordinates.js';

/** Options of {@link SweepWidget}. */
export interface ISweepWidgetOptions {
  client: () => ApiClient;
  sweepId: string;
  commands: CommandRegistry;
  trans: TranslationBundle;
  /** How many of the best trials' curves to draw (default 3). */
  bestK?: number;
  /** Refresh interval while trials are in flight, ms (default 2000). */
  pollMs?: number;
}

type SortKey = 'index' | 'state' | 'value' | string;

/**
 * A sweep: its state and counts (how many failed and why), the best trial
 * so far, a parallel-coordinates plot of the swept arguments against the
 * target metric, the trials table (sortable by any column; a row opens its
 * run) and the curves of the best k trials (uPlot, as run comparisons).
 * Pause, resume and cancel act on the server's sweep.
 */
export class SweepWidget extends Panel {
  constructor(options: ISweepWidgetOptions) {
    super();
    this._options = options;
    this.addClass('jp-jaxlab-Sweep');
    this.id = `jp-jaxlab-sweep-${options.sweepId}`;
    this.title.label = options.trans.__('Sweep');
    this.title.closable = true;
    this._top = new Widget();
    this._top.addClass('jp-jaxlab-Sweep-section');
    this.charts = new ChartsPanel(options.trans, {
      emptyText: options.trans.__('No completed trial logged step metrics yet.')
    });
    this._table = new Widget();
    this._table.addClass('jp-jaxlab-Sweep-section');
    this.addWidget(this._top);
    this.addWidget(this._table);
    this.addWidget(this.charts);
  }

  /** The curves of the best k trials. */
  readonly charts: ChartsPanel;

  /** The sweep as last loaded. */
  get sweep(): Sweep | null {
    return this._sweep;
  }

  /** Loads the sweep (and the best trials' curves when the best changed). */
  async refresh(): Promise<void> {
    const { client, sweepId } = this._options;
    try {
      const sweep = await client().getSweep(sweepId);
      this._sweep = sweep;
      this.title.label = this._options.trans.__('Sweep: %1', sweep.name);
      this._renderTop();
      this._renderTable();
      await this._loadCurves();
    } catch (error) {
      this._top.node.textContent = (error as Error).message;
    }
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('click', this._onClick);
    void this.refresh();
    this._timer = window.setInterval(() => {
      const s = this._sweep;
      if (
        !s ||
        s.status === 'RUNNING' ||
        s.trials.some(t => t.state === 'SUBMITTED')
      )
        void this.refresh();
    }, this._options.pollMs ?? 2000);
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('click', this._onClick);
    window.clearInterval(this._timer);
  }

  private _renderTop(): void {
    const trans = this._options.trans;
    const sweep = this._sweep!;
    const count = (state: SweepTrial['state']) =>
      sweep.trials.filter(t => t.state === state).length;
    const header = document.createElement('div');
    header.className = 'jp-jaxlab-Sweep-header';
    const h2 = document.createElement('h2');
    h2.textContent = sweep.name;
    const status = document.createElement('span');
    status.className = 'jp-jaxlab-StatusBadge';
    status.dataset.status = sweep.status === 'PAUSED' ? 'QUEUED' : sweep.status;
    status.textContent = sweep.status.toLowerCase();
    header.append(h2, status);
    for (const [action, label, enabled] of [
      ['pause', trans.__('Pause'), sweep.status === 'RUNNING'],
      ['resume', trans.__('Resume'), sweep.status === 'PAUSED'],
      [
        'cancel',
        trans.__('Cancel'),
        sweep.status === 'RUNNING' || sweep.status === 'PAUSED'
      ]
    ] as const) {
      const b = document.createElement('button');
      b.className = 'jp-jaxlab-Button';
      b.textContent = label;
      b.dataset.action = action;
      b.disabled = !enabled;
      header.appendChild(b);
    }
    const summary = document.createElement('p');
    summary.className = 'jp-jaxlab-Sweep-summary';
    summary.textContent = [
      trans.__(
        '%1 of %2 by %3 (%4 is best), %5 at once',
        sweep.space.kind === 'grid' ? trans.__('grid') : trans.__('random'),
        sweep.trials.length,
        sweep.target.metric,
        sweep.target.direction === 'min'
          ? trans.__('lowest')
          : trans.__('highest'),
        sweep.maxConcurrent
      ),
      trans.__(
        '%1 completed, %2 running, %3 pending, %4 failed, %5 stopped early',
        count('COMPLETED'),
        count('SUBMITTED') + count('SUBMITTING'),
        count('PENDING'),
        count('FAILED'),
        count('STOPPED')
      )
    ].join(' · ');
    const parts: HTMLElement[] = [header, summary];
    if (sweep.waitingFor) parts.push(note(sweep.waitingFor, 'waiting'));
    const reasons = new Map<string, number>();
    for (const t of sweep.trials) {
      if (t.state === 'FAILED' && t.failure)
        reasons.set(t.failure.code, (reasons.get(t.failure.code) ?? 0) + 1);
    }
    if (reasons.size) {
      parts.push(
        note(
          trans.__(
            'Failed trials have no value and never count as best: %1',
            [...reasons].map(([code, n]) => `${n} × ${code}`).join(', ')
          ),
          'failed'
        )
      );
    }
    const best = document.createElement('p');
    best.className = 'jp-jaxlab-Sweep-best';
    if (sweep.best) {
      const trial = sweep.trials[sweep.best.index];
      best.textContent = trans.__(
        'Best so far: trial #%1, %2 = %3 with %4',
        sweep.best.index + 1,
        sweep.target.metric,
        formatValue(sweep.target.metric, sweep.best.value),
        argsText(trial, this._swept())
      );
    } else {
      best.textContent = trans.__(
        'No trial has completed with a value of %1 yet.',
        sweep.target.metric
      );
    }
    parts.push(best);
    const swept = this._swept();
    const plot = document.createElement('div');
    plot.className = 'jp-jaxlab-Sweep-parallel';
    plot.appendChild(
      drawParallelCoordinates(
        [...swept, sweep.target.metric],
        sweep.trials
          .filter(t => t.state !== 'PENDING')
          .map(t => ({
            values: { ...t.args, [sweep.target.metric]: t.value },
            isBest: sweep.best?.index === t.index,
            label: `#${t.index + 1} ${t.state.toLowerCase()}: ${argsText(t, swept)}${t.value !== undefined ? ` → ${t.value}` : ''}`
          })),
        {
          width: Math.max(480, Math.min(1100, 140 * (swept.length + 1))),
          height: 240,
          lowerIsBetter: sweep.target.direction === 'min'
        }
      )
    );
    parts.push(plot);
    this._top.node.replaceChildren(...parts);
  }

  private _swept(): string[] {
    return Object.keys(this._sweep!.space.parameters);
  }

  private _renderTable(): void {
    const trans = this._options.trans;
    const sweep = this._sweep!;
    const swept = this._swept();
    const columns: [SortKey, string][] = [
      ['index', '#'],
      ['state', trans.__('State')],
      ...swept.map(name => [`arg:${name}`, name] as [SortKey, string]),
      ['value', sweep.target.metric],
      ['note', trans.__('Why')]
    ];
    const table = document.createElement('table');
    table.className = 'jp-jaxlab-Table jp-jaxlab-Sweep-trials';
    const head = table.createTHead().insertRow();
    for (const [key, label] of columns) {
      const th = document.createElement('th');
      th.textContent =
        label +
        (this._sort.key === key ? (this._sort.ascending ? ' ▲' : ' ▼') : '');
      th.dataset.sort = key;
      th.title = trans.__('Sort by %1', label);
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const trial of this._sorted(sweep.trials)) {
      const tr = body.insertRow();
      tr.dataset.state = trial.state;
      if (sweep.best?.index === trial.index)
        tr.classList.add('jp-jaxlab-mod-best');
      if (trial.jobId) {
        tr.dataset.jobId = trial.jobId;
        tr.title = trans.__('Open the run of trial #%1', trial.index + 1);
      }
      const cells = [
        String(trial.index + 1),
        trial.state.toLowerCase(),
        ...swept.map(name => pythonLiteral(trial.args[name] ?? null)),
        trial.value !== undefined
          ? formatValue(sweep.target.metric, trial.value)
          : '—',
        trial.failure
          ? `${trial.failure.code}: ${trial.failure.message}`
          : trial.lostJobIds?.length
            ? trans.__('rerun after its host was lost')
            : ''
      ];
      for (const cell of cells) tr.insertCell().textContent = cell;
    }
    this._table.node.replaceChildren(table);
  }

  private _sorted(trials: readonly SweepTrial[]): SweepTrial[] {
    const { key, ascending } = this._sort;
    const valueOf = (t: SweepTrial): unknown =>
      key === 'index'
        ? t.index
        : key === 'state'
          ? t.state
          : key === 'value'
            ? t.value
            : key.startsWith('arg:')
              ? t.args[key.slice(4)]
              : '';
    return [...trials].sort((a, b) => {
      const va = valueOf(a);
      const vb = valueOf(b);
      // Trials without a value sort last either way.
      if (va === undefined || vb === undefined)
        return va === vb ? a.index - b.index : va === undefined ? 1 : -1;
      const order =
        typeof va === 'number' && typeof vb === 'number'
          ? va - vb
          : String(va).localeCompare(String(vb));
      return (ascending ? order : -order) || a.index - b.index;
    });
  }

  private async _loadCurves(): Promise<void> {
    const sweep = this._sweep!;
    const k = this._options.bestK ?? 3;
    const best = sweep.trials
      .filter(t => t.state === 'COMPLETED' && t.value !== undefined)
      .sort((a, b) =>
        sweep.target.direction === 'min'
          ? a.value! - b.value!
          : b.value! - a.value!
      )
      .slice(0, k);
    const key = best.map(t => t.jobId).join(',');
    if (key === this._curvesKey) return;
    this._curvesKey = key;
    const series: (SeriesData | null)[] = await Promise.all(
      best.map(t =>
        this._options
          .client()
          .getSeries(t.jobId!, { buckets: 500 })
          .catch(() => null)
      )
    );
    const swept = this._swept();
    this.charts.setRuns(
      best.map((t, i) => ({
        label: `#${t.index + 1} · ${argsText(t, swept)}`,
        colorIndex: i,
        data: series[i]
      }))
    );
  }

  private _onClick = (event: MouseEvent): void => {
    const target = event.target as HTMLElement;
    const th = target.closest<HTMLElement>('th[data-sort]');
    if (th) {
      const key = th.dataset.sort!;
      this._sort = {
        key,
        ascending: this._sort.key === key ? !this._sort.ascending : true
      };
      this._renderTable();
      return;
    }
    const button = target.closest<HTMLButtonElement>('button[data-action]');
    if (button) {
      const to = button.dataset.action as 'pause' | 'resume' | 'cancel';
      void this._options
        .client()
        .changeSweep(this._options.sweepId, to)
        .then(() => this.refresh());
      return;
    }
    const row = target.closest<HTMLElement>('tr[data-job-id]');
    if (row)
      void this._options.commands.execute(CommandIDs.openJob, {
        jobId: row.dataset.jobId!
      });
  };

  private _options: ISweepWidgetOptions;
  private _sweep: Sweep | null = null;
  private _top: Widget;
  private _table: Widget;
  private _sort: { key: SortKey; ascending: boolean } = {
    key: 'index',
    ascending: true
  };
  private _curvesKey = '';
  private _timer = 0;
}

function argsText(trial: SweepTrial, swept: readonly string[]): string {
  return swept
    .map(name => `${name}=${pythonLiteral(trial.args[name] ?? null)}`)
    .join(', ');
}

function note(text: string, kind: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.className = `jp-jaxlab-Sweep-note jp-jaxlab-mod-${kind}`;
  p.textContent = text;
  return p;
}
