import type { Accelerator, Metrics } from '@jaxlab/schemas/contract';
import { deviceBadge } from '@jaxlab/schemas/contract';

/** One row of a metrics table. */
export interface IMetricRow {
  /** Stable key: `compilationTimeMs`, `executionTimeMs`, or `values.<name>`. */
  key: string;
  /** Label shown to the user. */
  label: string;
  /** Raw number, or null when absent. */
  value: number | null;
  /** Formatted value. */
  text: string;
}

/**
 * Format a duration in milliseconds for people: `850 ms`, `1.24 s`,
 * `2 min 05 s`, `1 h 02 min`.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
  }
  const totalSeconds = Math.floor(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Elapsed clock `m:ss` or `h:mm:ss` for a ticking timer. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Format a parsed metric value: accuracy-like names in [0, 1] as a
 * percentage too, other numbers with four significant digits.
 */
export function formatValue(name: string, value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const plain = Number.isInteger(value)
    ? value.toLocaleString('en-US')
    : Math.abs(value) >= 1e6 || Math.abs(value) < 1e-3
      ? value.toExponential(3)
      : String(Number(value.toPrecision(4)));
  if (
    /acc|precision|recall|f1/i.test(name) &&
    value >= 0 &&
    value <= 1 &&
    !Number.isInteger(value)
  ) {
    return `${plain} (${(value * 100).toFixed(1)}%)`;
  }
  return plain;
}

/** Bytes for people: `734 MiB`, `1.5 GiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) {
    return '—';
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * Rows of a run's metrics: compilation (and what the compile cache saved),
 * execution, peak memory, then parsed values by name, recompiled functions
 * with JAX's reasons, and the device.
 */
export function metricRows(metrics: Metrics | undefined | null): IMetricRow[] {
  if (!metrics) {
    return [];
  }
  const rows: IMetricRow[] = [
    {
      key: 'compilationTimeMs',
      label: 'Compilation time',
      value: metrics.compilationTimeMs,
      text: formatDuration(metrics.compilationTimeMs)
    },
    {
      key: 'executionTimeMs',
      label: 'Execution time',
      value: metrics.executionTimeMs,
      text: formatDuration(metrics.executionTimeMs)
    }
  ];
  const cache = metrics.compileCache;
  if (cache) {
    rows.push({
      key: 'compileCache.savedMs',
      label: 'Compile cache',
      value: cache.savedMs,
      text: `${cache.hits} hit(s), ${cache.misses} miss(es), saved ${formatDuration(cache.savedMs)}`
    });
  }
  for (const [field, label] of [
    ['peakDeviceBytes', 'Peak device memory'],
    ['peakHostBytes', 'Peak host memory']
  ] as const) {
    const bytes = metrics.memory?.[field];
    if (bytes !== undefined) {
      rows.push({
        key: `memory.${field}`,
        label,
        value: bytes,
        text: formatBytes(bytes)
      });
    }
  }
  for (const name of Object.keys(metrics.values ?? {}).sort()) {
    const value = metrics.values[name];
    rows.push({
      key: `values.${name}`,
      label: name,
      value,
      text: formatValue(name, value)
    });
  }
  for (const entry of metrics.recompilations ?? []) {
    rows.push({
      key: `recompilations.${entry.function}`,
      label: `Recompiled: ${entry.function}`,
      value: entry.count,
      text: `${entry.count} compilations${entry.reasons.length ? `: ${entry.reasons[0]}` : ''}${entry.reasons.length > 1 ? ` (+${entry.reasons.length - 1} more reasons)` : ''}`
    });
  }
  if (metrics.device) {
    rows.push({
      key: 'device',
      label: 'Device',
      value: null,
      text: deviceBadge({
        accelerator: metrics.device.platform as Accelerator,
        metrics
      })
    });
  }
  return rows;
}
