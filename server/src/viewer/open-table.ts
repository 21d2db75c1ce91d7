import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { JaxLabError } from '@jaxlab/schemas';
import { buildTable } from './table-builder.js';
import type { ITableRows, ITableState } from './table-builder.js';

/** One table's index in its cache folder, as the viewer holds it open. */
export interface IOpenTable {
  dir: string;
  state: ITableState;
  ready?: Promise<void>;
  /** Whether the index is being built here (not read from the cache). */
  building: boolean;
  /** Passes of `topRows` and page reads running: the index build waits for them. */
  passes: Set<Promise<unknown>>;
  /** Woken at each publication of the build's progress. */
  progress: Waker;
}

/** A promise to wait for the next time something happens ({@link Waker.wake}). */
export class Waker {
  /** Resolves at the next {@link Waker.wake}. */
  get woken(): Promise<void> {
    return this._woken;
  }

  wake(): void {
    const resolve = this._resolve;
    this._woken = new Promise<void>(r => (this._resolve = r));
    resolve();
  }

  private _resolve!: () => void;
  private _woken = new Promise<void>(r => (this._resolve = r));
}

/**
 * The index of a table in `dir`: read from its `meta.json` when a complete
 * one is there, else built now from `rows` ({@link buildTable}), pausing
 * while `passes` run; a failed build records its error in `state` and
 * leaves no folder behind.
 */
export function openTable(
  dir: string,
  rows: () => Promise<ITableRows>
): IOpenTable {
  const state: ITableState = { columns: [], rowsIndexed: 0, complete: false };
  const table: IOpenTable = {
    dir,
    state,
    building: false,
    passes: new Set(),
    progress: new Waker()
  };
  const metaPath = path.join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    table.ready = fs.readFile(metaPath, 'utf8').then(text => {
      const meta = JSON.parse(text) as {
        columns: ITableState['columns'];
        rowCount: number;
      };
      Object.assign(state, {
        columns: meta.columns,
        rowsIndexed: meta.rowCount,
        complete: true
      });
    });
    return table;
  }
  table.building = true;
  const paused = () =>
    table.passes.size > 0 ? Promise.allSettled(table.passes) : undefined;
  table.ready = (async () => {
    // A sorted first page asked first ({@link topRows}, started once this
    // returns) is served before the build starts: it shares no core with it.
    await null;
    for (let pause = paused(); pause; pause = paused()) await pause;
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    try {
      await buildTable(dir, await rows(), state, paused, () =>
        table.progress.wake()
      );
    } catch (error) {
      state.error = error instanceof Error ? error : new Error(String(error));
      await fs.rm(dir, { recursive: true, force: true });
    }
  })();
  return table;
}

/**
 * Resolves once `holds(table.state)` (or the build ended), polling while
 * it is built.
 *
 * @throws JaxLabError `STORE_UNAVAILABLE` when that takes over `waitMs`;
 *   the build's error when it failed.
 */
export async function untilIndexed(
  table: IOpenTable,
  holds: (state: ITableState) => boolean,
  waitMs: number
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let done = false;
  void table.ready!.finally(() => (done = true));
  while (!holds(table.state) && !done) {
    if (table.state.error) break;
    if (Date.now() > deadline) {
      throw new JaxLabError(
        'STORE_UNAVAILABLE',
        'The table is still being indexed.',
        {
          hint: 'Try again in a moment: the first open of a large file reads it once.'
        }
      );
    }
    // Woken when the build publishes progress or ends, or anyway after a while.
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, 50);
      void Promise.race([
        table.progress.woken,
        table.ready!.catch(() => {})
      ]).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (done) await table.ready;
  if (table.state.error) throw table.state.error;
}
