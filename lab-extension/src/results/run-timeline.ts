import type { JobPhase, Metrics } from '@jaxlab/schemas/contract';

/** One stretch of a run's life. */
export interface ITimelineSegment {
  key:
    | 'queued'
    | 'environment'
    | 'kernel'
    | 'compiling'
    | 'running'
    | 'call'
    | 'harness';
  ms: number;
  /** Still going on. */
  isOpen: boolean;
}

/** A run's life as stretches that add up to its duration. */
export interface ITimeline {
  segments: ITimelineSegment[];
  /** Submission to the end (or to now while it runs): the sum of the segments. */
  totalMs: number;
}

/**
 * The stretches of a run, from submission to its end (or `now`): queued,
 * the requirements environment, the kernel's start, then the call, split
 * by the call's own metrics into JAX compilation, execution without it,
 * and the harness around the call (loading main.py, publishing metrics).
 * Before the metrics arrive the call is one stretch. The segments add up
 * to `totalMs` exactly: each is measured between two timestamps of the
 * same clock (the store's), and the split of the call is clamped to it.
 */
export function runTimeline(
  run: { createdAt: string; finishedAt?: string },
  phases: readonly JobPhase[],
  metrics: Metrics | null,
  now: number
): ITimeline {
  const created = Date.parse(run.createdAt);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  const segments: ITimelineSegment[] = [];
  const firstStart = phases.length ? Date.parse(phases[0].startedAt) : end;
  segments.push({
    key: 'queued',
    ms: Math.max(0, firstStart - created),
    isOpen: phases.length === 0 && !run.finishedAt
  });
  for (const phase of phases) {
    const from = Date.parse(phase.startedAt);
    const to = phase.endedAt ? Date.parse(phase.endedAt) : end;
    const ms = Math.max(0, to - from);
    const isOpen = !phase.endedAt && !run.finishedAt;
    if (phase.phase !== 'call') {
      segments.push({ key: phase.phase, ms, isOpen });
    } else if (!metrics || isOpen) {
      segments.push({ key: 'call', ms, isOpen });
    } else {
      const compiling = Math.min(ms, metrics.compilationTimeMs);
      const running = Math.min(
        ms - compiling,
        Math.max(0, metrics.executionTimeMs - metrics.compilationTimeMs)
      );
      segments.push(
        { key: 'compiling', ms: compiling, isOpen: false },
        { key: 'running', ms: running, isOpen: false },
        { key: 'harness', ms: ms - compiling - running, isOpen: false }
      );
    }
  }
  const covered = segments.reduce((sum, s) => sum + s.ms, 0);
  const totalMs = Math.max(0, end - created);
  // Time after the last phase ended and before the final status (teardown).
  if (totalMs > covered) {
    const last = segments[segments.length - 1];
    if (last.key === 'harness' || last.key === 'queued')
      last.ms += totalMs - covered;
    else
      segments.push({ key: 'harness', ms: totalMs - covered, isOpen: false });
  }
  // Every phase the run went through is shown, even when it took no time.
  return {
    segments: segments.filter(
      s => s.ms > 0 || s.isOpen || s.key === 'environment' || s.key === 'kernel'
    ),
    totalMs
  };
}
