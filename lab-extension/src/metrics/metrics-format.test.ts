import { describe, expect, it } from 'vitest';
import type { Metrics } from '@jaxlab/schemas/contract';
import {
  formatClock,
  formatDuration,
  formatValue,
  metricRows
} from './metrics-format.js';

const metrics = (exec: number, acc: number): Metrics => ({
  compilationTimeMs: 412.4,
  executionTimeMs: exec,
  values: { accuracy: acc },
  device: { platform: 'cpu', count: 1 }
});

describe('formatDuration()', () => {
  it('should pick a unit people read at a glance', () => {
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatClock(65_000)).toBe('1:05');
  });
});

describe('formatValue()', () => {
  it('should show accuracy as a percentage too', () => {
    expect(formatValue('accuracy', 0.9731)).toBe('0.9731 (97.3%)');
    expect(formatValue('tflops', 12345678.5)).toBe('1.235e+7');
    expect(formatValue('steps', 12000)).toBe('12,000');
  });
});

describe('metricRows()', () => {
  it('should list compilation, execution, parsed values and the device', () => {
    const rows = metricRows(metrics(2500, 0.95));
    expect(rows.map(r => r.label)).toEqual([
      'Compilation time',
      'Execution time',
      'accuracy',
      'Device'
    ]);
    expect(rows[1].text).toBe('2.50 s');
  });
});
