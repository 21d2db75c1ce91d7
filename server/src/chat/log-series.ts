import type { IJobEvents } from '@jaxlab/store';

/** One metric's series, summarised by the server. */
export interface ISeriesSummary {
  name: string;
  points: number;
  first: { step: number; value: number };
  last: { step: number; value: number };
  min: { step: number; value: number };
  max: { step: number; value: number };
}

/** `step 500: loss 0.4488, acc=0.9` and the like. */
const STEP_LINE = /\bstep\s*[:=]?\s*(\d+)\b[\s:,|-]*(.*)$/i;
const NAMED_NUMBER =
  /([A-Za-z_][\w./-]{0,63})\s*[:=]?\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\b|([A-Za-z_][\w./-]{0,63})\s*[:=]\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\b/g;

/** Log chunks read at most (the log may be huge; the summary says when it stopped). */
const MAX_CHUNKS = 20_000;

/**
 * Step series a run printed (`step N: loss X, accuracy Y`), summarised:
 * points, first, last, min and max with their steps. Read from the stored
 * log, at most {@link MAX_CHUNKS} chunks.
 */
export async function summariseLogSeries(
  events: IJobEvents,
  jobId: string
): Promise<{ series: ISeriesSummary[]; truncated: boolean }> {
  const byName = new Map<string, ISeriesSummary>();
  let after = 0;
  let read = 0;
  let rest = '';
  for (;;) {
    const chunks = await events.readLogs(jobId, after, 1000);
    if (chunks.length === 0) break;
    for (const chunk of chunks) {
      after = chunk.seq;
      if (chunk.stream !== 'stdout') continue;
      const lines = (rest + chunk.text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) addLine(byName, line);
    }
    read += chunks.length;
    if (read >= MAX_CHUNKS)
      return { series: [...byName.values()], truncated: true };
  }
  addLine(byName, rest);
  return { series: [...byName.values()], truncated: false };
}

function addLine(byName: Map<string, ISeriesSummary>, line: string): void {
  const m = STEP_LINE.exec(line);
  if (!m) return;
  const step = Number(m[1]);
  for (const n of m[2].matchAll(NAMED_NUMBER)) {
    const name = n[1] ?? n[3];
    const value = Number(n[2] ?? n[4]);
    if (!Number.isFinite(value) || /^step$/i.test(name)) continue;
    const point = { step, value };
    const s = byName.get(name);
    if (!s) {
      byName.set(name, {
        name,
        points: 1,
        first: point,
        last: point,
        min: point,
        max: point
      });
      continue;
    }
    s.points++;
    s.last = point;
    if (value < s.min.value) s.min = point;
    if (value > s.max.value) s.max = point;
  }
}
