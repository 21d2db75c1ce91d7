import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { formatDuration } from '../metrics/metrics-format.js';
import type { ResultsModel } from './results-model.js';
import type { ITimelineSegment } from './run-timeline.js';
import { runTimeline } from './run-timeline.js';

/**
 * The run's real phases as a bar and a sum: queued, environment, kernel
 * start, compiling, running, harness, each with its duration, adding up to
 * the run's total (the header's Elapsed, then Duration).
 */
export class PhaseBar extends Widget {
  constructor(model: ResultsModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-PhaseBar');
    this._model = model;
    this._trans = trans;
  }

  /** Redraws (the results panel calls this on changes and every second). */
  render(): void {
    const model = this._model;
    const job = model.job;
    this.setHidden(!job);
    if (!job) return;
    const timeline = runTimeline(
      {
        createdAt: job.createdAt,
        finishedAt:
          model.finishedAtMs === null
            ? undefined
            : new Date(model.finishedAtMs).toISOString()
      },
      model.phases,
      model.isFinal ? model.metrics : null,
      model.now()
    );
    const bar = document.createElement('div');
    bar.className = 'jp-jaxlab-PhaseBar-bar';
    const legend = document.createElement('div');
    legend.className = 'jp-jaxlab-PhaseBar-legend';
    for (const segment of timeline.segments) {
      const part = document.createElement('span');
      part.className = 'jp-jaxlab-PhaseBar-segment';
      part.dataset.phase = segment.key;
      part.classList.toggle('jp-mod-open', segment.isOpen);
      part.style.flexGrow = String(Math.max(segment.ms, 1));
      part.title = `${this._label(segment)} ${formatDuration(segment.ms)}`;
      bar.appendChild(part);
      const item = document.createElement('span');
      item.className = 'jp-jaxlab-PhaseBar-item';
      item.dataset.phase = segment.key;
      const swatch = document.createElement('i');
      item.append(
        swatch,
        `${this._label(segment)} ${formatDuration(segment.ms)}`
      );
      legend.appendChild(item);
    }
    const total = document.createElement('span');
    total.className = 'jp-jaxlab-PhaseBar-total';
    total.textContent = `= ${formatDuration(timeline.totalMs)} ${
      model.isFinal ? this._trans.__('in all') : this._trans.__('so far')
    }`;
    legend.appendChild(total);
    this.node.replaceChildren(bar, legend);
  }

  private _label(segment: ITimelineSegment): string {
    const trans = this._trans;
    switch (segment.key) {
      case 'queued':
        return trans.__('Queued');
      case 'environment':
        return trans.__('Environment');
      case 'kernel':
        return trans.__('Kernel start');
      case 'compiling':
        return trans.__('Compiling');
      case 'running':
        return trans.__('Running');
      case 'call':
        return trans.__('Call');
      case 'harness':
        return trans.__('Harness');
    }
  }

  private _model: ResultsModel;
  private _trans: TranslationBundle;
}
