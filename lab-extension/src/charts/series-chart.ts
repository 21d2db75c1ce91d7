import { Widget } from '@lumino/widgets';
import uPlot from 'uplot';
import type { IChartTheme } from './chart-theme.js';
import { chartTheme, translucent, watchTheme } from './chart-theme.js';

/** One line of a chart: points in x order, with an optional min/max band. */
export interface IChartLine {
  label: string;
  /** Index into the theme's palette. */
  colorIndex: number;
  x: readonly number[];
  y: readonly (number | null)[];
  /** The unsmoothed values, drawn faint under a smoothed `y`. */
  raw?: readonly (number | null)[];
  /** Smallest and largest value at each x (a bucket's min and max). */
  lo?: readonly number[];
  hi?: readonly number[];
}

/** How a chart is drawn. */
export interface IChartView {
  title: string;
  xLabel: string;
  /** Logarithmic y axis (values at or below 0 are left out). */
  logY: boolean;
}

/**
 * One chart (uPlot: canvas, built for large series) of one or more lines,
 * with min/max bands, a live legend and the theme's colours; redrawn when
 * the theme changes and resized with its node.
 */
export class SeriesChart extends Widget {
  constructor() {
    super();
    this.addClass('jp-jaxlab-Chart');
  }

  /** Draws `lines`; cheap enough to call on every update. */
  setLines(lines: readonly IChartLine[], view: IChartView): void {
    this._lines = lines;
    this._view = view;
    this._draw();
  }

  /** The uPlot instance, while drawn (for tests and benchmarks). */
  get plot(): uPlot | null {
    return this._plot;
  }

  protected onAfterAttach(): void {
    this._resize = new ResizeObserver(() => this._fit());
    this._resize.observe(this.node);
    this._stopWatch = watchTheme(() => {
      // The new theme's CSS arrives after the attribute changes.
      window.setTimeout(() => this._draw(), 300);
    });
    this._draw();
  }

  protected onBeforeDetach(): void {
    this._resize?.disconnect();
    this._stopWatch?.();
    this._plot?.destroy();
    this._plot = null;
  }

  dispose(): void {
    this._plot?.destroy();
    this._plot = null;
    super.dispose();
  }

  private _fit(): void {
    const width = Math.max(200, this.node.clientWidth);
    if (this._plot && Math.abs(this._plot.width - width) > 1) {
      this._plot.setSize({ width, height: CHART_HEIGHT });
    }
  }

  private _draw(): void {
    if (!this.isAttached || !this._view) return;
    this._plot?.destroy();
    this._plot = null;
    const theme = chartTheme(this.node);
    const { data, series, bands } = layout(this._lines, theme, this._view.logY);
    const axis = {
      stroke: theme.text,
      font: theme.font,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1 }
    };
    this._plot = new uPlot(
      {
        title: this._view.title,
        width: Math.max(200, this.node.clientWidth),
        height: CHART_HEIGHT,
        scales: {
          x: { time: false },
          y: this._view.logY ? { distr: 3 } : {}
        },
        axes: [
          { ...axis, label: this._view.xLabel, labelFont: theme.font },
          { ...axis, size: 60 }
        ],
        series: [{ label: this._view.xLabel }, ...series],
        bands,
        legend: { live: true },
        cursor: { drag: { x: true, y: false } }
      },
      data,
      this.node
    );
  }

  private _lines: readonly IChartLine[] = [];
  private _view: IChartView | null = null;
  private _plot: uPlot | null = null;
  private _resize: ResizeObserver | null = null;
  private _stopWatch: (() => void) | null = null;
}

/** Height of a chart's plot area and axes, in pixels. */
export const CHART_HEIGHT = 190;

/**
 * uPlot's data: one x column (the union of the lines' x, sorted) and per
 * line its value, raw value, min and max columns, null where a line has no
 * point (uPlot bridges those gaps).
 */
export function layout(
  lines: readonly IChartLine[],
  theme: IChartTheme,
  logY: boolean
): { data: uPlot.AlignedData; series: uPlot.Series[]; bands: uPlot.Band[] } {
  const xs = unionSorted(lines.map(line => line.x));
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns: (number | null)[][] = [];
  const series: uPlot.Series[] = [];
  const bands: uPlot.Band[] = [];
  const keep = (v: number | null | undefined): number | null =>
    v === null || v === undefined || (logY && v <= 0) ? null : v;
  const column = (
    line: IChartLine,
    values: readonly (number | null)[]
  ): (number | null)[] => {
    const out = new Array<number | null>(xs.length).fill(null);
    line.x.forEach((x, i) => (out[index.get(x)!] = keep(values[i])));
    return out;
  };
  for (const line of lines) {
    const color = theme.palette[line.colorIndex % theme.palette.length];
    if (line.hi && line.lo) {
      const hi = series.length + 1;
      columns.push(column(line, line.hi), column(line, line.lo));
      series.push(
        {
          label: `${line.label} max`,
          stroke: 'transparent',
          points: { show: false },
          spanGaps: true
        },
        {
          label: `${line.label} min`,
          stroke: 'transparent',
          points: { show: false },
          spanGaps: true
        }
      );
      bands.push({ series: [hi, hi + 1], fill: translucent(color, 0.18) });
    }
    if (line.raw) {
      columns.push(column(line, line.raw));
      series.push({
        label: `${line.label} (raw)`,
        stroke: translucent(color, 0.3),
        width: 1,
        points: { show: false },
        spanGaps: true
      });
    }
    columns.push(column(line, line.y));
    series.push({
      label: line.label,
      stroke: color,
      width: 1.5,
      points: { show: false },
      spanGaps: true
    });
  }
  return { data: [xs, ...columns] as uPlot.AlignedData, series, bands };
}

/** The distinct numbers of sorted lists, sorted (a k-way merge). */
function unionSorted(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 1) return [...lists[0]];
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
