import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type { ApiClient } from '../api/api-client.js';
import { ChartsPanel } from '../charts/charts-panel.js';
import { SeriesModel } from '../charts/series-model.js';
import { LogView } from '../log/log-view.js';
import { ProportionalSplitPanel } from '../ui/proportional-split-panel.js';
import { metricRows } from '../metrics/metrics-format.js';
import { PhaseBar } from './phase-bar.js';
import type { ResultsModel } from './results-model.js';
import { RunHeader } from './run-header.js';
import { RunProgress } from './run-progress.js';

/**
 * Results of the active run, one section widget each so that more can be
 * added: the header (state, name, call, queue, time, Cancel), the phases
 * adding up to its duration, progress with rate and ETA, the failure's
 * reason and fix, the call's metrics, then the live charts of its step
 * metrics beside its live log.
 */
export class ResultsWidget extends Panel {
  constructor(
    model: ResultsModel,
    trans: TranslationBundle,
    options: { client?: () => ApiClient } = {}
  ) {
    super();
    this.addClass('jp-jaxlab-Results');
    this._model = model;
    this._trans = trans;
    this.header = new RunHeader(model, trans);
    this.phases = new PhaseBar(model, trans);
    this.progress = new RunProgress(model, trans);
    this._failure = new Widget();
    this._failure.addClass('jp-jaxlab-Failure');
    this._metrics = new Widget({ node: document.createElement('table') });
    this._metrics.addClass('jp-jaxlab-Metrics');
    const top = new Panel();
    top.addClass('jp-jaxlab-Results-top');
    for (const section of [
      this.header,
      this.phases,
      this.progress,
      this._failure,
      this._metrics
    ]) {
      top.addWidget(section);
    }
    this.charts = new ChartsPanel(trans);
    this._series = options.client
      ? new SeriesModel({ client: options.client })
      : null;
    this._series?.changed.connect(this._onSeries, this);
    model.seriesChanged.connect(() => this._series?.invalidate(), this);
    this.logView = new LogView(model.log);
    const body = new ProportionalSplitPanel({
      orientation: 'horizontal',
      spacing: 4,
      proportions: [3, 2]
    });
    body.addClass('jp-jaxlab-Results-body');
    body.addWidget(this.charts);
    body.addWidget(this.logView);
    this.addWidget(top);
    this.addWidget(body);
    model.stateChanged.connect(this._render, this);
    this._render();
  }

  /** Sections, for tests and for panels that add their own. */
  readonly header: RunHeader;
  readonly phases: PhaseBar;
  readonly progress: RunProgress;
  readonly charts: ChartsPanel;
  readonly logView: LogView;

  protected onAfterAttach(): void {
    this.header.follow.addEventListener('click', this._onFollow);
    this._timer = window.setInterval(this._tick, 1000);
    this._render();
  }

  protected onBeforeDetach(): void {
    this.header.follow.removeEventListener('click', this._onFollow);
    window.clearInterval(this._timer);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this._model.stateChanged.disconnect(this._render, this);
    this._series?.dispose();
    window.clearInterval(this._timer);
    super.dispose();
  }

  private _render(): void {
    const model = this._model;
    const jobId = model.job?.id ?? null;
    if (jobId !== this._jobId) {
      this._jobId = jobId;
      this._series?.bind(jobId);
    }
    this.header.render();
    this.phases.render();
    this.progress.render();
    this._renderFailure();
    this._renderMetrics();
    this.logView.emptyText = this._logEmptyText();
    this.charts.emptyText = this._model.isActive
      ? this._trans.__('Charts appear as soon as the run logs step metrics.')
      : this._trans.__(
          'No step metrics. Call jaxlab.log(step=i, loss=loss) in the loop, or print lines like “step 100: loss 0.25”.'
        );
  }

  private _renderFailure(): void {
    const trans = this._trans;
    const failure = this._model.failure;
    const streamError = this._model.streamError;
    const node = this._failure.node;
    node.replaceChildren();
    this._failure.setHidden(!failure && !streamError);
    delete node.dataset.reason;
    const line = (cls: string, text: string): void => {
      const div = document.createElement('div');
      div.className = cls;
      div.textContent = text;
      node.appendChild(div);
    };
    if (failure) {
      node.dataset.reason = failure.reason;
      if (failure.reason === 'CANCELLED') {
        line(
          'jp-jaxlab-Failure-reason',
          trans.__('Cancelled. %1', failure.message)
        );
      } else {
        line(
          'jp-jaxlab-Failure-reason',
          `${failure.reason}: ${failure.message}`
        );
      }
      line(
        'jp-jaxlab-Failure-hint',
        `${trans.__('What next:')} ${failure.hint}`
      );
    } else if (streamError) {
      line(
        'jp-jaxlab-Failure-reason',
        `${streamError.code}: ${streamError.message}`
      );
      if (streamError.hint) line('jp-jaxlab-Failure-hint', streamError.hint);
    }
  }

  private _renderMetrics(): void {
    const trans = this._trans;
    const rows = metricRows(this._model.metrics);
    const table = this._metrics.node;
    table.replaceChildren();
    this._metrics.setHidden(rows.length === 0);
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.dataset.key = row.key;
      const th = document.createElement('th');
      th.textContent = row.key.startsWith('values.')
        ? row.label
        : trans.__(row.label);
      const td = document.createElement('td');
      td.textContent = row.text;
      tr.append(th, td);
      table.appendChild(tr);
    }
  }

  private _logEmptyText(): string {
    const trans = this._trans;
    const job = this._model.job;
    switch (this._model.status) {
      case null:
        return trans.__(
          'Press Run to call main(); its output and charts appear here.'
        );
      case 'QUEUED':
        return trans.__(
          'Waiting in the queue for a free %1…',
          job?.accelerator.toUpperCase() ?? ''
        );
      case 'COMPILING':
        return trans.__(
          'Preparing the run: requirements environment, then the kernel…'
        );
      case 'RUNNING':
        return trans.__('Running; nothing printed yet.');
      default:
        return trans.__('The run printed nothing.');
    }
  }

  private _onSeries(): void {
    const data = this._series?.data ?? null;
    this.charts.setRuns(data ? [{ label: '', colorIndex: 0, data }] : []);
  }

  private _tick = (): void => {
    this.header.tick();
    if (this._model.isActive) {
      this.phases.render();
      this.progress.render();
    }
  };

  private _onFollow = (): void => {
    this.logView.scrollToEnd();
  };

  private _model: ResultsModel;
  private _trans: TranslationBundle;
  private _failure: Widget;
  private _metrics: Widget;
  private _series: SeriesModel | null;
  private _jobId: string | null = null;
  private _timer = 0;
}
