import type { Job, RunComparison, SeriesData } from '@jaxlab/schemas/contract';
import { deviceBadge, runtimeVersions } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { ChartsPanel } from '../charts/charts-panel.js';
import { renderProjectDiff } from '../diff/diff-view.js';
import { projectDiff } from '../diff/project-diff.js';
import { formatDuration, formatValue } from '../metrics/metrics-format.js';
import { regressionBadge } from '../experiments/regression-badge.js';
import { renderStatusBadge } from '../results/status-badge.js';
import { selectElement } from '../ui/select-element.js';
import { runLabel } from './run-label.js';

/** What a comparison shows. */
export interface ICompareData {
  comparison: RunComparison;
  /** The runs in full (their code), in the comparison's order. */
  jobs: Job[];
  /** Each run's series, in the same order. */
  series: SeriesData[];
  /** The lab URL that opens this comparison again. */
  shareUrl: string;
}

/**
 * N runs side by side: a legend (a colour per run, its device badge),
 * their step metrics as overlaid curves, final/min/max per metric, what
 * they ran with (only the differences by default), and each run's code
 * (main.py, its other files, requirements.txt) diffed file by file against
 * a reference run; with a link to share.
 */
export class CompareWidget extends Panel {
  constructor(data: ICompareData, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Compare');
    this._data = data;
    this._trans = trans;
    const runs = data.comparison.runs;
    this.id = `jp-jaxlab-compare-${runs.map(r => r.id).join('-')}`.slice(
      0,
      200
    );
    this.title.label = trans.__('Compare %1 runs', runs.length);
    this.title.closable = true;

    this._top = new Widget();
    this._top.addClass('jp-jaxlab-Compare-section');
    this.charts = new ChartsPanel(trans, {
      emptyText: trans.__('None of these runs logged step metrics.')
    });
    this.charts.setRuns(
      runs.map((run, i) => ({
        label: this._labels[i],
        colorIndex: i,
        data: data.series[i] ?? null
      }))
    );
    this._tables = new Widget();
    this._tables.addClass('jp-jaxlab-Compare-section');
    this.addWidget(this._top);
    this.addWidget(this.charts);
    this.addWidget(this._tables);
    this._renderTop();
    this._renderTables();
  }

  /** The overlaid curves. */
  readonly charts: ChartsPanel;

  protected onAfterAttach(): void {
    this.node.addEventListener('change', this._onChange);
    this.node.addEventListener('click', this._onClick);
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('change', this._onChange);
    this.node.removeEventListener('click', this._onClick);
  }

  private get _labels(): string[] {
    const runs = this._data.comparison.runs;
    return runs.map((run, i) => `${letter(i)} · ${runLabel(run)}`);
  }

  private _renderTop(): void {
    const trans = this._trans;
    const { comparison, shareUrl } = this._data;
    const h2 = document.createElement('h2');
    h2.textContent = trans.__('%1 runs', comparison.runs.length);
    const link = document.createElement('input');
    link.className = 'jp-jaxlab-Compare-link';
    link.readOnly = true;
    link.value = shareUrl;
    link.title = trans.__('Open this link in the lab to see this comparison');
    const copy = document.createElement('button');
    copy.className = 'jp-jaxlab-Button';
    copy.dataset.action = 'copy-link';
    copy.textContent = trans.__('Copy link');
    const head = document.createElement('div');
    head.className = 'jp-jaxlab-Compare-head';
    head.append(h2, link, copy);
    const legend = document.createElement('table');
    legend.className = 'jp-jaxlab-CompareLegend';
    comparison.runs.forEach((run, i) => {
      const tr = legend.insertRow();
      tr.dataset.jobId = run.id;
      const swatch = document.createElement('i');
      swatch.className = 'jp-jaxlab-Swatch';
      swatch.style.background = `var(--jp-jaxlab-series-${i % 8})`;
      tr.insertCell().append(swatch, letter(i));
      const badge = document.createElement('span');
      renderStatusBadge(badge, trans, run.status);
      tr.insertCell().appendChild(badge);
      tr.insertCell().textContent = runLabel(run);
      const job = this._data.jobs[i];
      const device = tr.insertCell();
      device.className = 'jp-jaxlab-DeviceBadge-cell';
      device.textContent = job ? deviceBadge(job) : '';
      device.title = job ? runtimeVersions(job.manifest) : '';
      tr.insertCell().textContent = run.projectId
        ? (comparison.projects[run.projectId] ?? '')
        : '';
      tr.insertCell().textContent = run.finishedAt
        ? formatDuration(Date.parse(run.finishedAt) - Date.parse(run.createdAt))
        : '…';
      // Its verdict against the project's baseline, when it has one.
      const verdict = this._data.jobs[i]?.regression;
      tr.insertCell().append(verdict ? regressionBadge(verdict, trans) : '');
    });
    this._top.node.replaceChildren(head, legend);
  }

  private _renderTables(): void {
    const trans = this._trans;
    const { comparison } = this._data;
    const n = comparison.runs.length;
    const heading = (text: string): HTMLElement => {
      const h = document.createElement('h3');
      h.textContent = text;
      return h;
    };
    const header = (table: HTMLTableElement, first: string): void => {
      const row = table.createTHead().insertRow();
      row.appendChild(document.createElement('th')).textContent = first;
      for (let i = 0; i < n; i++)
        row.appendChild(document.createElement('th')).textContent = letter(i);
    };

    const metrics = document.createElement('table');
    metrics.className = 'jp-jaxlab-CompareTable jp-jaxlab-CompareMetrics';
    header(metrics, trans.__('metric: final (min … max)'));
    const body = metrics.createTBody();
    for (const metric of comparison.metrics) {
      const tr = body.insertRow();
      tr.dataset.key = `${metric.source}:${metric.name}`;
      tr.insertCell().textContent =
        metric.source === 'time'
          ? metric.name === 'compilationTimeMs'
            ? trans.__('Compilation time')
            : trans.__('Execution time')
          : metric.source === 'value'
            ? trans.__('%1 (reported)', metric.name)
            : metric.name;
      for (let i = 0; i < n; i++) {
        const final = metric.final[i];
        const td = tr.insertCell();
        if (final === null) {
          td.textContent = '—';
          continue;
        }
        td.textContent =
          metric.source === 'time'
            ? formatDuration(final)
            : formatValue(metric.name, final);
        const min = metric.min[i];
        const max = metric.max[i];
        if (min !== null && max !== null) {
          const range = document.createElement('span');
          range.className = 'jp-jaxlab-CompareTable-range';
          range.textContent = ` (${formatValue('', min)} … ${formatValue('', max)})`;
          td.appendChild(range);
        }
      }
    }

    const onlyDiff = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = this._onlyDifferences;
    box.dataset.role = 'only-differences';
    onlyDiff.append(box, trans.__('Show only differences'));
    const params = document.createElement('table');
    params.className = 'jp-jaxlab-CompareTable jp-jaxlab-CompareParams';
    header(params, trans.__('ran with'));
    const pbody = params.createTBody();
    let hidden = 0;
    for (const row of comparison.parameters) {
      if (this._onlyDifferences && !row.differs) {
        hidden++;
        continue;
      }
      const tr = pbody.insertRow();
      tr.dataset.key = row.key;
      tr.classList.toggle('jp-mod-differs', row.differs);
      tr.insertCell().textContent = row.label;
      for (const value of row.values)
        tr.insertCell().textContent = value ?? '—';
    }
    const same = document.createElement('p');
    same.className = 'jp-jaxlab-Compare-note';
    same.textContent = hidden
      ? trans.__('%1 more rows are the same for every run.', hidden)
      : '';

    this._tables.node.replaceChildren(
      heading(trans.__('Metrics')),
      metrics,
      heading(trans.__('What they ran with')),
      onlyDiff,
      params,
      same,
      ...this._diffs()
    );
  }

  private _diffs(): HTMLElement[] {
    const trans = this._trans;
    const jobs = this._data.jobs;
    const reference = jobs[this._reference];
    const h = document.createElement('h3');
    h.textContent = trans.__('Code against');
    const select = selectElement(
      jobs.map((_, i) => [String(i), this._labels[i]] as const),
      String(this._reference)
    );
    select.dataset.role = 'reference';
    h.append(' ', select);
    const out: HTMLElement[] = [h];
    jobs.forEach((job, i) => {
      if (i === this._reference) return;
      const diff = projectDiff(reference, job);
      const details = document.createElement('details');
      details.className = 'jp-jaxlab-Compare-diff';
      details.open = diff.files.length > 0;
      const summary = document.createElement('summary');
      summary.textContent = `${this._labels[i]}: ${
        diff.files.length === 0
          ? trans.__('the same code')
          : trans._n(
              '%1 file changed, +%2 −%3 lines',
              '%1 files changed, +%2 −%3 lines',
              diff.files.length,
              diff.added,
              diff.deleted
            )
      }`;
      details.append(summary, renderProjectDiff(diff, trans));
      out.push(details);
    });
    return out;
  }

  private _onChange = (event: Event): void => {
    const target = event.target as HTMLInputElement | HTMLSelectElement;
    if (target.dataset.role === 'only-differences') {
      this._onlyDifferences = (target as HTMLInputElement).checked;
      this._renderTables();
    } else if (target.dataset.role === 'reference') {
      this._reference = Number(target.value);
      this._renderTables();
    }
  };

  private _onClick = (event: MouseEvent): void => {
    const target = (event.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-action="copy-link"]'
    );
    if (!target) return;
    const input = this.node.querySelector<HTMLInputElement>(
      '.jp-jaxlab-Compare-link'
    );
    input?.select();
    navigator.clipboard?.writeText(this._data.shareUrl).then(
      () => (target.textContent = this._trans.__('Copied')),
      () => (target.textContent = this._trans.__('Press Ctrl+C'))
    );
  };

  private _data: ICompareData;
  private _trans: TranslationBundle;
  private _top: Widget;
  private _tables: Widget;
  private _onlyDifferences = true;
  private _reference = 0;
}

/** A, B, ..., Z, then 27, 28, ... */
function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : String(i + 1);
}
