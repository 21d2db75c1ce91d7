import { describe, expect, it } from 'vitest';
import type { SeriesSummary, StepMetrics } from '@jaxlab/schemas';
import type { ISeries, NewJobEvent } from '@jaxlab/store';
import { StepSeriesWriter } from './step-series-writer.js';

/** An in-memory series part: summaries only, which is all the writer reads. */
function fakeSeries(): ISeries & { appended: ISeries.IBatch[] } {
  const summary: SeriesSummary = {};
  const appended: ISeries.IBatch[] = [];
  return {
    appended,
    async append(_jobId, batch) {
      appended.push(batch);
      for (const [name, p] of Object.entries(batch)) {
        const n = p.steps.length;
        const old = summary[name];
        summary[name] = {
          count: (old?.count ?? 0) + n,
          lastStep: p.steps[n - 1],
          last: p.values[n - 1],
          min: Math.min(old?.min ?? Infinity, ...p.values),
          max: Math.max(old?.max ?? -Infinity, ...p.values)
        };
      }
      return { ...summary };
    },
    read: async () => [],
    points: async function* () {},
    summary: async () => ({ ...summary })
  };
}

function batch(
  name: string,
  from: number,
  n: number,
  extra: Partial<StepMetrics> = {}
): StepMetrics {
  const steps = Array.from({ length: n }, (_, i) => from + i);
  return {
    series: { [name]: { steps, values: steps.map(s => s * 2), times: steps } },
    ...extra
  };
}

function writer(options: Partial<StepSeriesWriter.IOptions> = {}) {
  const series = fakeSeries();
  const events: NewJobEvent[] = [];
  const lines: string[] = [];
  const w = new StepSeriesWriter({
    series,
    jobId: 'j1',
    appendEvent: async event => void events.push(event),
    logLine: text => lines.push(text),
    log: () => undefined,
    flushIntervalMs: 5,
    eventIntervalMs: 60_000,
    ...options
  });
  return { w, series, events, lines };
}

describe('StepSeriesWriter', () => {
  it('should merge batches into few store appends and end with a job:series event', async () => {
    const { w, series, events } = writer();
    for (let i = 0; i < 10; i++)
      w.accept(batch('loss', i * 100, 100, { totalSteps: 5000 }));
    await w.flush();
    expect(series.appended.length).toBeLessThanOrEqual(2);
    expect(series.appended.flatMap(b => b.loss.steps)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i)
    );
    expect(events).toEqual([
      {
        type: 'job:series',
        progress: { step: 999, totalSteps: 5000, points: 1000 },
        summary: {
          loss: { count: 1000, lastStep: 999, last: 1998, min: 0, max: 1998 }
        }
      }
    ]);
  });

  it('should leave out a malformed batch and say so once in the job log', async () => {
    const { w, series, lines } = writer();
    w.accept({
      series: { loss: { steps: [1, 2], values: [1], times: [1, 2] } }
    });
    w.accept({ series: { loss: { steps: [1], values: ['1'], times: [1] } } });
    w.accept('not a batch');
    await w.flush();
    expect(series.appended).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[jaxlab\] a step-metrics message was left out: loss: steps, values and times differ/
    );
  });

  it('should keep to the run’s limits of names and points, counting what it drops', async () => {
    const { w, series, events, lines } = writer({
      maxNames: 2,
      maxPoints: 250
    });
    w.accept(batch('a', 0, 100));
    w.accept(batch('b', 0, 100));
    w.accept(batch('c', 0, 100));
    w.accept(batch('a', 100, 100));
    await w.flush();
    const stored = series.appended.flatMap(b => Object.entries(b));
    expect(stored.map(([n]) => n)).not.toContain('c');
    expect(stored.reduce((sum, [, p]) => sum + p.steps.length, 0)).toBe(250);
    expect(events.at(-1)).toMatchObject({
      progress: { points: 250, dropped: 150 }
    });
    expect(lines.join('')).toMatch(
      /past the run's 2 names are left out \(first: c\)/
    );
    expect(lines.join('')).toMatch(/past the run's 250 points are left out/);
  });

  it('should send at most one job:series event per interval while the run goes on', async () => {
    const { w, events } = writer({ eventIntervalMs: 200, flushIntervalMs: 1 });
    const started = Date.now();
    while (Date.now() - started < 500) {
      w.accept(batch('loss', Date.now(), 1));
      await new Promise(resolve => setTimeout(resolve, 5));
    }
    await w.flush();
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.length).toBeLessThanOrEqual(5);
  });
});
