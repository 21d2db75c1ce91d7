import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { formatClock } from '../metrics/metrics-format.js';
import type { ResultsModel } from './results-model.js';

/**
 * How far the step metrics have come: with a total (`log(...,
 * total_steps=N)`) a progress bar, steps per second and the time left;
 * without one, the step and the rate. Also says how many values were NaN
 * or infinite, and how many points the gateway left out.
 */
export class RunProgress extends Widget {
  constructor(model: ResultsModel, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Progress');
    this._model = model;
    this._trans = trans;
  }

  render(): void {
    const model = this._model;
    const trans = this._trans;
    const progress = model.progress;
    this.setHidden(!progress);
    if (!progress) return;
    const parts: string[] = [];
    const total = progress.totalSteps;
    const done = Math.min(progress.step + 1, total ?? Infinity);
    const rate = model.isFinal ? null : model.stepsPerSecond();
    parts.push(
      total
        ? trans.__(
            '%1 / %2 steps',
            done.toLocaleString('en-US'),
            total.toLocaleString('en-US')
          )
        : trans.__('step %1', progress.step.toLocaleString('en-US'))
    );
    if (rate !== null && rate > 0) {
      parts.push(
        trans.__(
          '%1 steps/s',
          rate < 10 ? rate.toFixed(2) : Math.round(rate).toLocaleString('en-US')
        )
      );
      if (total && done < total) {
        parts.push(
          trans.__('ETA %1', formatClock(((total - done) / rate) * 1000))
        );
      }
    }
    if (progress.nonFinite) {
      parts.push(trans.__('%1 NaN/inf values not plotted', progress.nonFinite));
    }
    if (progress.dropped) {
      parts.push(
        trans.__('%1 points left out (see the log)', progress.dropped)
      );
    }
    const children: HTMLElement[] = [];
    if (total) {
      const bar = document.createElement('progress');
      bar.max = total;
      bar.value = done;
      children.push(bar);
    }
    const text = document.createElement('span');
    text.className = 'jp-jaxlab-Progress-text';
    text.textContent = parts.join(' · ');
    children.push(text);
    this.node.replaceChildren(...children);
  }

  private _model: ResultsModel;
  private _trans: TranslationBundle;
}
