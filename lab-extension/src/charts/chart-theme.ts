/** Colours of a chart, from JupyterLab's theme variables. */
export interface IChartTheme {
  /** Axis labels and legend text. */
  text: string;
  /** Grid lines and ticks. */
  grid: string;
  /** Line colours by series index (see --jp-jaxlab-series-N in style/charts.css). */
  palette: string[];
  /** Font of axis labels. */
  font: string;
}

/** How many palette entries style/charts.css defines. */
export const PALETTE_SIZE = 8;

/**
 * The chart colours the current theme gives `node` (read from its computed
 * style, so light, dark and any other theme work): JupyterLab's font and
 * border colours and the `--jp-jaxlab-series-N` palette of style/charts.css, which
 * is built from JupyterLab's brand, warn, success, error and accent colours.
 */
export function chartTheme(node: HTMLElement): IChartTheme {
  const style = getComputedStyle(node);
  const css = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback;
  const palette = Array.from({ length: PALETTE_SIZE }, (_, i) =>
    css(
      `--jp-jaxlab-series-${i}`,
      ['#1976d2', '#f57c00', '#388e3c', '#d32f2f'][i % 4]
    )
  );
  return {
    text: css('--jp-ui-font-color1', '#222'),
    grid: css('--jp-border-color2', '#ddd'),
    palette,
    // uPlot scales fonts by their px size, so an em size must become px.
    font: `${resolved('fontSize', css('--jp-ui-font-size0', '11px'))} ${css('--jp-ui-font-family', 'sans-serif')}`
  };
}

/**
 * Calls `onChange` whenever JupyterLab switches themes (it sets
 * `data-jp-theme-name` on the body); returns the function that stops.
 */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return () => observer.disconnect();
}

/**
 * `color` (any CSS colour, as a theme variable holds it) as `rgba()` at
 * `alpha`, for canvas fills; the browser resolves the colour.
 */
export function translucent(color: string, alpha: number): string {
  const rgb = /rgba?\(([^)]+)\)/.exec(resolved('color', color));
  const [r, g, b] = (rgb?.[1] ?? '128, 128, 128').split(',').map(s => s.trim());
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** `value` of CSS property `property` as the browser computes it (px, rgb). */
function resolved(property: 'color' | 'fontSize', value: string): string {
  if (!probe) {
    probe = document.createElement('span');
    probe.hidden = true;
  }
  if (!probe.isConnected) document.body.appendChild(probe);
  probe.style[property] = '';
  probe.style[property] = value;
  return getComputedStyle(probe)[property];
}

let probe: HTMLSpanElement | undefined;
