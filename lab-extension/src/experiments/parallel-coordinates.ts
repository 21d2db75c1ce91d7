/** One line of a {@link drawParallelCoordinates} plot. */
export interface IParallelLine {
  /** Value per axis name (missing: the line stops before that axis). */
  values: Record<string, unknown>;
  /** Marks the best line (drawn last, thicker). */
  isBest?: boolean;
  /** A tooltip. */
  label: string;
}

/** An axis: numeric (linear or log) or categorical, by its values. */
interface IAxis {
  name: string;
  position: (value: unknown) => number | null;
  ticks: { at: number; text: string }[];
}

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A parallel-coordinates plot as SVG: one vertical axis per name (numbers
 * on a linear axis, or a log one when they are positive and span more
 * than two decades; anything else as categories), one polyline per trial
 * coloured by the last axis (the target metric), better values brighter.
 *
 * Drawn by hand: uPlot, the lab's charting library, has no such plot, and
 * the libraries that have one (Plotly, Vega, d3-parcoords) would add over
 * a megabyte to the extension for a plot of at most a thousand lines.
 * Colours come from JupyterLab's CSS variables, so both themes work.
 */
export function drawParallelCoordinates(
  axes: readonly string[],
  lines: readonly IParallelLine[],
  options: { width: number; height: number; lowerIsBetter: boolean }
): SVGSVGElement {
  const { width, height } = options;
  const pad = { top: 24, bottom: 28, left: 48, right: 48 };
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'jp-jaxlab-ParallelCoordinates');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  const plotHeight = height - pad.top - pad.bottom;
  const x = (i: number): number =>
    pad.left +
    (axes.length > 1
      ? (i * (width - pad.left - pad.right)) / (axes.length - 1)
      : 0);
  const built = axes.map(name =>
    buildAxis(
      name,
      lines.map(l => l.values[name])
    )
  );
  const y = (fraction: number): number => pad.top + (1 - fraction) * plotHeight;

  const target = built[built.length - 1];
  const ordered = [...lines].sort(
    (a, b) => Number(!!a.isBest) - Number(!!b.isBest)
  );
  for (const line of ordered) {
    const points: string[] = [];
    built.forEach((axis, i) => {
      const at = axis.position(line.values[axis.name]);
      if (at !== null) points.push(`${x(i).toFixed(1)},${y(at).toFixed(1)}`);
    });
    const path = document.createElementNS(SVG, 'polyline');
    path.setAttribute('points', points.join(' '));
    path.setAttribute('fill', 'none');
    const score = target?.position(line.values[target.name]);
    // Better is brighter: higher on the target axis unless lower is better.
    const goodness =
      score == null ? 0 : options.lowerIsBetter ? 1 - score : score;
    path.setAttribute(
      'class',
      line.isBest ? 'jp-jaxlab-pc-line jp-jaxlab-mod-best' : 'jp-jaxlab-pc-line'
    );
    path.style.opacity = String(0.35 + 0.65 * goodness);
    if (score == null) path.setAttribute('stroke-dasharray', '3 3');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = line.label;
    path.appendChild(title);
    svg.appendChild(path);
  }

  built.forEach((axis, i) => {
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('class', 'jp-jaxlab-pc-axis');
    line.setAttribute('x1', String(x(i)));
    line.setAttribute('x2', String(x(i)));
    line.setAttribute('y1', String(pad.top));
    line.setAttribute('y2', String(pad.top + plotHeight));
    svg.appendChild(line);
    const name = text(axis.name, x(i), height - 8, 'middle');
    name.setAttribute('class', 'jp-jaxlab-pc-name');
    svg.appendChild(name);
    for (const tick of axis.ticks) {
      const label = text(tick.text, x(i) - 4, y(tick.at) + 3, 'end');
      label.setAttribute('class', 'jp-jaxlab-pc-tick');
      svg.appendChild(label);
    }
  });
  return svg;
}

function text(
  content: string,
  x: number,
  y: number,
  anchor: string
): SVGTextElement {
  const node = document.createElementNS(SVG, 'text');
  node.setAttribute('x', String(x));
  node.setAttribute('y', String(y));
  node.setAttribute('text-anchor', anchor);
  node.textContent = content;
  return node;
}

function buildAxis(name: string, raw: readonly unknown[]): IAxis {
  const numbers = raw.filter(
    (v): v is number => typeof v === 'number' && Number.isFinite(v)
  );
  const present = raw.filter(v => v !== undefined);
  if (numbers.length && numbers.length === present.length) {
    let lo = Math.min(...numbers);
    let hi = Math.max(...numbers);
    const isLog = lo > 0 && hi / lo > 100;
    const f = isLog ? Math.log10 : (v: number) => v;
    if (lo === hi) {
      lo -= 1;
      hi += 1;
    }
    const span = f(hi) - f(lo);
    const position = (v: unknown): number | null =>
      typeof v === 'number' && Number.isFinite(v)
        ? (f(v) - f(lo)) / span
        : null;
    const ticks = [0, 0.5, 1].map(at => {
      const value = isLog ? 10 ** (f(lo) + at * span) : lo + at * span;
      return { at, text: short(value) };
    });
    return { name, position, ticks };
  }
  const categories = [...new Set(present.map(v => JSON.stringify(v)))].sort();
  const at = (i: number): number =>
    categories.length === 1 ? 0.5 : i / (categories.length - 1);
  return {
    name,
    position: v => {
      const i = categories.indexOf(JSON.stringify(v));
      return i < 0 ? null : at(i);
    },
    ticks: categories.map((c, i) => ({
      at: at(i),
      text: c.replace(/^"|"$/g, '').slice(0, 12)
    }))
  };
}

function short(value: number): string {
  return Math.abs(value) >= 1e4 || (Math.abs(value) < 1e-2 && value !== 0)
    ? value.toExponential(1)
    : String(Number(value.toPrecision(3)));
}
