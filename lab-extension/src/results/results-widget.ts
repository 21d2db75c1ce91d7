import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import { LogView } from '../log/log-view.js';
import { formatClock, metricRows } from '../metrics/metrics-format.js';
import type { ResultsModel } from './results-model.js';
import { renderStatusBadge } from './status-badge.js';
import { shortJobId } from '../jobs/job-label.js';

/**
 * Results of the active job: status badge, ticking elapsed time, Cancel,
 * the failure's reason and fix, the metrics once the call returns, and the
 * live log.
 */
export class ResultsWidget extends Panel {
  /** Make a view of `model`. */
  constructor(model: ResultsModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Results');
    this._model = model;
    this._trans = trans;

    this._header = document.createElement('div');
    this._header.className = 'jp-jaxlab-Results-header';
    this._badge = document.createElement('span');
    this._title = document.createElement('span');
    this._title.className = 'jp-jaxlab-Results-title';
    this._elapsed = document.createElement('span');
    this._elapsed.className = 'jp-jaxlab-Results-elapsed';
    this._elapsed.title = trans.__('Elapsed time');
    this._follow = document.createElement('button');
    this._follow.className = 'jp-jaxlab-Button jp-jaxlab-Results-follow';
    this._follow.textContent = trans.__('Follow output');
    this._cancel = document.createElement('button');
    this._cancel.className =
      'jp-jaxlab-Button jp-mod-warn jp-jaxlab-Results-cancel';
    this._cancel.textContent = trans.__('Cancel');
    this._header.append(
      this._badge,
      this._title,
      this._elapsed,
      this._follow,
      this._cancel
    );

    this._failure = document.createElement('div');
    this._failure.className = 'jp-jaxlab-Failure';
    this._metrics = document.createElement('table');
    this._metrics.className = 'jp-jaxlab-Metrics';

    const top = new Widget();
    top.addClass('jp-jaxlab-Results-top');
    top.node.append(this._header, this._failure, this._metrics);
    this.addWidget(top);
    this._logView = new LogView(model.log, {
      emptyText: trans.__(
        'Press “Run on TPU” to run main.py; its output appears here.'
      )
    });
    this.addWidget(this._logView);

    model.stateChanged.connect(this._render, this);
    this._render();
  }

  /** The log view. */
  get logView(): LogView {
    return this._logView;
  }

  protected onAfterAttach(): void {
    this._cancel.addEventListener('click', this._onCancel);
    this._follow.addEventListener('click', this._onFollow);
    this._timer = window.setInterval(this._tick, 1000);
    this._render();
  }

  protected onBeforeDetach(): void {
    this._cancel.removeEventListener('click', this._onCancel);
    this._follow.removeEventListener('click', this._onFollow);
    window.clearInterval(this._timer);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.stateChanged.disconnect(this._render, this);
    window.clearInterval(this._timer);
    super.dispose();
  }

  private _render(): void {
    const model = this._model;
    const trans = this._trans;
    renderStatusBadge(this._badge, trans, model.status);
    const job = model.job;
    this._title.textContent = job
      ? trans.__(
          'Run %1 · %2 · %3()',
          shortJobId(job.id),
          job.accelerator.toUpperCase(),
          job.entrypoint
        )
      : '';
    this._cancel.hidden = !job || model.isFinal;
    this._cancel.disabled = !!job?.cancelRequested;
    this._tick();

    const failure = model.failure;
    const streamError = model.streamError;
    this._failure.replaceChildren();
    this._failure.hidden = !failure && !streamError;
    if (failure) {
      this._failure.dataset.reason = failure.reason;
      const reason = document.createElement('div');
      reason.className = 'jp-jaxlab-Failure-reason';
      reason.textContent = `${failure.reason}: ${failure.message}`;
      const hint = document.createElement('div');
      hint.className = 'jp-jaxlab-Failure-hint';
      hint.textContent = `${trans.__('How to fix it:')} ${failure.hint}`;
      this._failure.append(reason, hint);
    } else if (streamError) {
      const reason = document.createElement('div');
      reason.className = 'jp-jaxlab-Failure-reason';
      reason.textContent = `${streamError.code}: ${streamError.message}`;
      this._failure.append(reason);
      if (streamError.hint) {
        const hint = document.createElement('div');
        hint.className = 'jp-jaxlab-Failure-hint';
        hint.textContent = streamError.hint;
        this._failure.append(hint);
      }
    }

    this._metrics.replaceChildren();
    const rows = metricRows(model.metrics);
    this._metrics.hidden = rows.length === 0;
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
      this._metrics.appendChild(tr);
    }
  }

  private _tick = (): void => {
    const elapsed = this._model.elapsedMs;
    this._elapsed.textContent =
      elapsed === null
        ? ''
        : `${this._trans.__('Elapsed')} ${formatClock(elapsed)}`;
  };

  private _onCancel = (): void => {
    this._cancel.disabled = true;
    this._model.cancel().catch(() => {
      this._cancel.disabled = false;
    });
  };

  private _onFollow = (): void => {
    this._logView.scrollToEnd();
  };

  private _model: ResultsModel;
  private _trans: TranslationBundle;
  private _header: HTMLDivElement;
  private _badge: HTMLSpanElement;
  private _title: HTMLSpanElement;
  private _elapsed: HTMLSpanElement;
  private _follow: HTMLButtonElement;
  private _cancel: HTMLButtonElement;
  private _failure: HTMLDivElement;
  private _metrics: HTMLTableElement;
  private _logView: LogView;
  private _timer = 0;
}
