import type { BucketedSeries, SeriesData } from '@jaxlab/schemas/contract';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';
import type { IChartSettings } from './chart-settings.js';
import { ChartSettingsBar } from './chart-settings.js';
import type { IChartLine } from './series-chart.js';
import { SeriesChart } from './series-chart.js';
import { smoothValues } from './smoothing.js';

/** One run's series as a panel draws them. */
export interface IChartRun {
  /** Shown in legends (`A · 3b98`, a run's name). */
  label: string;
  /** Its colour in the palette (comparisons give each run its own). */
  colorIndex: number;
  data: SeriesData | null;
}

/**
 * The step metrics of one run (with min/max bands) or several (overlaid,
 * a colour per run): the settings bar, then one chart per metric or one
 * chart for all. Charts are kept between updates, so a live run redraws
 * in place.
 */
export class ChartsPanel extends Panel {
  constructor(trans: TranslationBundle, options: { emptyText?: string } = {}) {
    super();
    this.addClass('jp-jaxlab-Charts');
    this._trans = trans;
    this._bar = new ChartSettingsBar(trans);
    this._bar.changed.connect(() => this._render(), this);
    this._grid = new Panel();
    this._grid.addClass('jp-jaxlab-Charts-grid');
    this._empty = new Widget();
    this._empty.addClass('jp-jaxlab-Charts-empty');
    this._empty.node.textContent =
      options.emptyText ??
      trans.__(
        'No step metrics yet. Call jaxlab.log(step=i, loss=loss) in the loop, or print lines like “step 100: loss 0.25”.'
      );
    this.addWidget(this._bar);
    this.addWidget(this._grid);
    this.addWidget(this._empty);
    this._render();
  }

  /** What the panel says while there is nothing to chart. */
  set emptyText(text: string) {
    this._empty.node.textContent = text;
  }

  /** The settings bar (x axis, log scale, smoothing, layout, metrics). */
  get settingsBar(): ChartSettingsBar {
    return this._bar;
  }

  /** Draws `runs`; call again whenever their series change. */
  setRuns(runs: readonly IChartRun[]): void {
    this._runs = runs;
    this._render();
  }

  private _render(): void {
    const trans = this._trans;
    const s = this._bar.settings;
    const names = [
      ...new Set(
        this._runs.flatMap(run => run.data?.series.map(x => x.name) ?? [])
      )
    ];
    this._bar.setMetricNames(names);
    const shown = names.filter(name => !s.hidden.includes(name));
    this._empty.setHidden(names.length > 0);
    this._bar.setHidden(names.length === 0);
    const xLabel = s.x === 'step' ? trans.__('step') : trans.__('seconds');
    const charts: Array<[string, string, IChartLine[]]> = s.together
      ? [
          [
            '*',
            shown.join(', '),
            shown.flatMap((name, i) => this._lines(name, s, i))
          ]
        ]
      : shown.map(name => [name, name, this._lines(name, s, 0)]);
    const keep = new Set(charts.map(([key]) => key));
    for (const [key, chart] of this._charts) {
      if (!keep.has(key)) {
        chart.dispose();
        this._charts.delete(key);
      }
    }
    charts.forEach(([key, title, lines], i) => {
      let chart = this._charts.get(key);
      if (!chart) {
        chart = new SeriesChart();
        chart.node.dataset.metric = key;
        this._charts.set(key, chart);
      }
      this._grid.insertWidget(i, chart);
      chart.setLines(lines, { title, xLabel, logY: s.logY });
    });
  }

  /** The lines of metric `name`: one per run that has it. */
  private _lines(
    name: string,
    s: IChartSettings,
    metricIndex: number
  ): IChartLine[] {
    const single = this._runs.length === 1;
    return this._runs.flatMap(run => {
      const series = run.data?.series.find(x => x.name === name);
      if (!series || series.step.length === 0) return [];
      const x =
        s.x === 'step' ? series.step : secondsSinceStart(series, run.data!);
      const label = single
        ? name
        : s.together
          ? `${run.label} ${name}`
          : run.label;
      const line: IChartLine = {
        label,
        colorIndex: single ? metricIndex : run.colorIndex,
        x,
        y: smoothValues(series.last, s.smoothing)
      };
      if (s.smoothing > 0) line.raw = series.last;
      // Bands only for one run: overlaid runs' bands hide each other.
      if (single && series.min && series.max) {
        line.lo = series.min;
        line.hi = series.max;
      }
      return [line];
    });
  }

  private _trans: TranslationBundle;
  private _bar: ChartSettingsBar;
  private _grid: Panel;
  private _empty: Widget;
  private _runs: readonly IChartRun[] = [];
  private _charts = new Map<string, SeriesChart>();
}

/** A series' x as seconds since the run's first logged point. */
function secondsSinceStart(series: BucketedSeries, data: SeriesData): number[] {
  let start = Infinity;
  for (const s of data.series)
    if (s.time.length) start = Math.min(start, s.time[0]);
  return series.time.map(t => (t - start) / 1000);
}
