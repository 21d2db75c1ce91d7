import type { IPointColumns } from '@jaxlab/store';
import type { Cell, ITableRows } from './table-builder.js';

/** Rows per batch handed to the index. */
const BATCH_ROWS = 8192;

/**
 * A run's step series as one table: `step`, `wall time` (ISO, the latest
 * of the row's points) and one column per metric. The series are merged
 * by step, one stored chunk of each at a time: a row takes the next point
 * of every series at the smallest next step, so points logged at the same
 * step share a row and a metric not logged at it is empty. Every point
 * appears once, in its series' order (a series whose steps go back, as
 * after a restart, starts a second run of rows).
 */
export function seriesRows(
  names: readonly string[],
  pointsOf: (name: string) => AsyncIterable<IPointColumns>
): ITableRows {
  async function* rows(): AsyncGenerator<Cell[][]> {
    const cursors = names.map(name => new PointCursor(pointsOf(name)));
    await Promise.all(cursors.map(c => c.fill()));
    let batch: Cell[][] = [];
    for (;;) {
      let step = Infinity;
      for (const c of cursors) if (c.live && c.step < step) step = c.step;
      if (step === Infinity) break;
      const row: Cell[] = [step, null];
      let time = -Infinity;
      for (const c of cursors) {
        if (!c.live || c.step !== step) {
          row.push(null);
          continue;
        }
        row.push(c.value);
        time = Math.max(time, c.time);
        if (!c.next()) await c.fill();
      }
      row[1] = new Date(time).toISOString();
      batch.push(row);
      if (batch.length === BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { columns: ['step', 'wall time', ...names], rows: rows() };
}

/** The next point of one series, reading its chunks as they are needed. */
class PointCursor {
  constructor(chunks: AsyncIterable<IPointColumns>) {
    this._chunks = chunks[Symbol.asyncIterator]();
  }

  /** Whether there is a point (after {@link fill}). */
  live = true;

  get step(): number {
    return this._chunk!.steps[this._i];
  }
  get value(): number {
    return this._chunk!.values[this._i];
  }
  get time(): number {
    return this._chunk!.times[this._i];
  }

  /** Moves to the next point of this chunk; false at its end. */
  next(): boolean {
    return ++this._i < this._chunk!.steps.length;
  }

  /** Loads the next non-empty chunk, or marks the series done. */
  async fill(): Promise<void> {
    for (;;) {
      const { done, value } = await this._chunks.next();
      if (done) {
        this.live = false;
        return;
      }
      if (value.steps.length) {
        this._chunk = value;
        this._i = 0;
        return;
      }
    }
  }

  private _chunks: AsyncIterator<IPointColumns>;
  private _chunk?: IPointColumns;
  private _i = 0;
}
