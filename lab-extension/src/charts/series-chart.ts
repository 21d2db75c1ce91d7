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
    // uPlot removes only its own root: the legend of the last draw goes too.
    this.node.querySelector(':scope > .jp-jaxlab-Chart-legend')?.remove();
    const theme = chartTheme(this.node);
    const { data, series, bands, readouts } = layout(
      this._lines,
      theme,
      this._view.logY
    );
    const view = this._view;
    this._readout.textContent = '';
    // What is drawn, for tests and curious users: points and the last x.
    const xs = data[0] as number[];
    this.node.dataset.points = String(xs.length);
    this.node.dataset.lastX = String(xs.length ? xs[xs.length - 1] : '');
    this.node.dataset.lines = String(this._lines.length);
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
        // A one-line readout instead of uPlot's legend, which would also
        // list the band's min and max series.
        legend: { show: false },
        cursor: { drag: { x: true, y: false } },
        hooks: {
          setCursor: [
            u => {
              const i = u.cursor.idx;
              this._readout.textContent =
                i === null || i === undefined
                  ? ''
                  : readoutText(u.data, i, view.xLabel, readouts);
            }
          ]
        }
      },
      data,
      this.node
    );
    this.node.appendChild(this._readout);
    if (this._lines.length > 1)
      this.node.appendChild(legend(this._lines, theme));
  }

  private _readout = Object.assign(document.createElement('div'), {
    className: 'jp-jaxlab-Chart-readout'
  });
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
): {
  data: uPlot.AlignedData;
  series: uPlot.Series[];
  bands: uPlot.Band[];
  readouts: IReadout[];
} {
  const xs = unionSorted(lines.map(line => line.x));
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns: (number | null)[][] = [];
  const series: uPlot.Series[] = [];
  const bands: uPlot.Band[] = [];
  const readouts: IReadout[] = [];
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
    const readout: IReadout = { label: line.label, value: 0 };
    if (line.hi && line.lo) {
      const hi = series.length + 1;
      readout.hi = hi;
      readout.lo = hi + 1;
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
    readout.value = series.length + 1;
    readouts.push(readout);
    series.push({
      label: line.label,
      stroke: color,
      width: 1.5,
      points: { show: false },
      spanGaps: true
    });
  }
  return {
    data: [xs, ...columns] as uPlot.AlignedData,
    series,
    bands,
    readouts
  };
}

/** Swatch and label per line, for charts of several lines. */
function legend(lines: readonly IChartLine[], theme: IChartTheme): HTMLElement {
  const node = document.createElement('div');
  node.className = 'jp-jaxlab-Chart-legend';
  for (const line of lines) {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.className = 'jp-jaxlab-Swatch';
    swatch.style.background =
      theme.palette[line.colorIndex % theme.palette.length];
    item.append(swatch, line.label);
    node.appendChild(item);
  }
  return node;
}

/** Where a line's value (and its bucket's min and max) sit in the data. */
interface IReadout {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
}

/** `step 1200: loss 0.41 (0.39 … 0.47) · accuracy 0.9` at data index `i`. */
function readoutText(
  data: uPlot.AlignedData,
  i: number,
  xLabel: string,
  readouts: readonly IReadout[]
): string {
  const fmt = (v: number | null | undefined): string =>
    v === null || v === undefined ? '—' : String(Number(v.toPrecision(4)));
  const parts = readouts.flatMap(r => {
    const value = data[r.value][i];
    if (value === null || value === undefined) return [];
    const range =
      r.lo !== undefined &&
      r.hi !== undefined &&
      data[r.lo][i] !== data[r.hi][i]
        ? ` (${fmt(data[r.lo][i])} … ${fmt(data[r.hi][i])})`
        : '';
    return [`${r.label} ${fmt(value)}${range}`];
  });
  return `${xLabel} ${fmt(data[0][i])}: ${parts.join(' · ')}`;
}

/** The distinct numbers of sorted lists, sorted (a k-way merge). */
function unionSorted(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 1) return [...lists[0]];
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}
