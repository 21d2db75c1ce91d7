import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { FormWidget } from '../ui/form-widget.js';
import { selectElement } from '../ui/select-element.js';

/** How the charts of a panel are drawn. */
export interface IChartSettings {
  /** x axis: the step, or seconds of wall time since the run's first point. */
  x: 'step' | 'time';
  logY: boolean;
  /** Exponential smoothing weight, 0 (off) to 0.99. */
  smoothing: number;
  /** One chart for all the chosen metrics instead of one per metric. */
  together: boolean;
  /** Metrics shown; empty: all. */
  hidden: string[];
}

/** The settings a panel starts with. */
export const DEFAULT_CHART_SETTINGS: IChartSettings = {
  x: 'step',
  logY: false,
  smoothing: 0,
  together: false,
  hidden: []
};

/**
 * The controls above a panel's charts: x axis (step or wall time), log
 * scale, smoothing, one chart per metric or one for all, and which metrics
 * to show. Emits {@link ChartSettingsBar.changed} with the new settings.
 */
export class ChartSettingsBar extends FormWidget {
  constructor(trans: TranslationBundle, settings = DEFAULT_CHART_SETTINGS) {
    super();
    this.addClass('jp-jaxlab-ChartSettings');
    this._trans = trans;
    this._settings = { ...settings };
    this._render();
  }

  /** Emitted when the user changes a setting. */
  get changed(): ISignal<this, IChartSettings> {
    return this._changed;
  }

  get settings(): IChartSettings {
    return this._settings;
  }

  /** Offers these metric names to show or hide. */
  setMetricNames(names: readonly string[]): void {
    if (names.join('\n') === this._names.join('\n')) return;
    this._names = [...names];
    this._render();
  }

  private _render(): void {
    const trans = this._trans;
    const s = this._settings;
    const x = selectElement(
      [
        ['step', trans.__('Step')],
        ['time', trans.__('Wall time')]
      ],
      s.x
    );
    x.dataset.setting = 'x';
    x.title = trans.__('x axis');
    const smoothing = document.createElement('input');
    smoothing.type = 'range';
    smoothing.min = '0';
    smoothing.max = '0.99';
    smoothing.step = '0.01';
    smoothing.value = String(s.smoothing);
    smoothing.dataset.setting = 'smoothing';
    smoothing.title = trans.__('Smoothing (exponential moving average)');
    const smoothingValue = document.createElement('span');
    smoothingValue.className = 'jp-jaxlab-ChartSettings-value';
    smoothingValue.textContent = s.smoothing.toFixed(2);
    const metrics = this._names.map(name =>
      checkbox(name, !s.hidden.includes(name), `metric:${name}`)
    );
    this.node.replaceChildren(
      label(trans.__('x'), x),
      checkbox(trans.__('Log scale'), s.logY, 'logY'),
      label(trans.__('Smoothing'), smoothing, smoothingValue),
      checkbox(trans.__('One chart'), s.together, 'together'),
      ...(metrics.length > 1 ? metrics : [])
    );
  }

  protected onEdit(event: Event): void {
    const input = event.target as HTMLInputElement | HTMLSelectElement;
    const key = input.dataset.setting;
    if (!key) return;
    const s = { ...this._settings, hidden: [...this._settings.hidden] };
    if (key === 'x') s.x = input.value as IChartSettings['x'];
    else if (key === 'smoothing') s.smoothing = Number(input.value);
    else if (key === 'logY') s.logY = (input as HTMLInputElement).checked;
    else if (key === 'together')
      s.together = (input as HTMLInputElement).checked;
    else if (key.startsWith('metric:')) {
      const name = key.slice('metric:'.length);
      s.hidden = (input as HTMLInputElement).checked
        ? s.hidden.filter(n => n !== name)
        : [...s.hidden, name];
    }
    this._settings = s;
    if (key === 'smoothing') {
      const shown = input.nextElementSibling;
      if (shown) shown.textContent = s.smoothing.toFixed(2);
    }
    this._changed.emit(s);
  }

  private _trans: TranslationBundle;
  private _settings: IChartSettings;
  private _names: string[] = [];
  private _changed = new Signal<this, IChartSettings>(this);
}

function label(text: string, ...controls: HTMLElement[]): HTMLLabelElement {
  const node = document.createElement('label');
  node.append(text, ' ', ...controls);
  return node;
}

function checkbox(
  text: string,
  checked: boolean,
  setting: string
): HTMLLabelElement {
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.checked = checked;
  input.dataset.setting = setting;
  const node = label('', input);
  node.append(text);
  return node;
}
