import { describe, expect, it } from 'vitest';
import type { Metrics } from '@jaxlab/schemas/contract';
import { runTimeline } from './run-timeline.js';

const at = (ms: number): string =>
  new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const metrics = (
  compilationTimeMs: number,
  executionTimeMs: number
): Metrics => ({
  compilationTimeMs,
  executionTimeMs,
  values: {},
  device: { platform: 'cpu', count: 1 }
});

describe('runTimeline()', () => {
  it('should split a finished run into stretches that add up to its duration', () => {
    const timeline = runTimeline(
      { createdAt: at(0), finishedAt: at(10_000) },
      [
        {
          phase: 'environment',
          startedAt: at(500),
          endedAt: at(1500),
          detail: 'built'
        },
        { phase: 'kernel', startedAt: at(1500), endedAt: at(3000) },
        { phase: 'call', startedAt: at(3000), endedAt: at(10_000) }
      ],
      metrics(2500, 6800),
      Date.now()
    );
    expect(timeline.segments.map(s => [s.key, s.ms])).toEqual([
      ['queued', 500],
      ['environment', 1000],
      ['kernel', 1500],
      ['compiling', 2500],
      ['running', 4300],
      ['harness', 200]
    ]);
    expect(timeline.totalMs).toBe(10_000);
    expect(timeline.segments.reduce((sum, s) => sum + s.ms, 0)).toBe(
      timeline.totalMs
    );
  });

  it('should show a live run’s open stretch up to now, and a queued one as queued', () => {
    const live = runTimeline(
      { createdAt: at(0) },
      [
        { phase: 'environment', startedAt: at(100), endedAt: at(200) },
        { phase: 'kernel', startedAt: at(200) }
      ],
      null,
      Date.parse(at(1200))
    );
    expect(live.segments.map(s => [s.key, s.ms, s.isOpen])).toEqual([
      ['queued', 100, false],
      ['environment', 100, false],
      ['kernel', 1000, true]
    ]);
    const queued = runTimeline(
      { createdAt: at(0) },
      [],
      null,
      Date.parse(at(3000))
    );
    expect(queued.segments).toEqual([
      { key: 'queued', ms: 3000, isOpen: true }
    ]);
  });

  it('should keep the sum exact when the call’s own clock says more than the gateway’s', () => {
    const timeline = runTimeline(
      { createdAt: at(0), finishedAt: at(5000) },
      [{ phase: 'call', startedAt: at(1000), endedAt: at(5000) }],
      metrics(3000, 4500),
      0
    );
    expect(timeline.segments.reduce((sum, s) => sum + s.ms, 0)).toBe(5000);
    expect(timeline.segments.find(s => s.key === 'running')!.ms).toBe(1000);
  });
});
