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

describe('metricRows() of accelerator insight', () => {
  const insight: Metrics = {
    compilationTimeMs: 120,
    compilationCount: 41,
    compileCache: { hits: 3, misses: 0, savedMs: 2400 },
    recompilations: [
      {
        function: 'train_step',
        count: 40,
        reasons: [
          'different input types: at x, now f32[32,128] and before f32[31,128]'
        ]
      }
    ],
    executionTimeMs: 900,
    memory: { peakDeviceBytes: 3 * 2 ** 30, peakHostBytes: 700 * 2 ** 20 },
    values: {},
    device: { platform: 'gpu', count: 1, kinds: ['NVIDIA H200'] }
  };

  it('should show what the cache saved, peak memory and each recompiled function with its reason', () => {
    const rows = Object.fromEntries(
      metricRows(insight).map(r => [r.key, r.text])
    );
    expect(rows['compileCache.savedMs']).toBe(
      '3 hit(s), 0 miss(es), saved 2.40 s'
    );
    expect(rows['memory.peakDeviceBytes']).toBe('3.0 GiB');
    expect(rows['memory.peakHostBytes']).toBe('700 MiB');
    expect(rows['recompilations.train_step']).toBe(
      '40 compilations: different input types: at x, now f32[32,128] and before f32[31,128]'
    );
  });
});
