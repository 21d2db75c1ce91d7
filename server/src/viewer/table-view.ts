import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableFilter } from '@jaxlab/schemas';
import { ColumnReader } from './column-files.js';
import { sortColumn } from './external-sort.js';
import { isNumeric, summaryOf, tallyNumber } from './table-builder.js';
import type {
  ColumnSummary,
  INumberTally,
  ITableState
} from './table-builder.js';

/** How a page is asked to be ordered and filtered. */
export interface IViewQuery {
  sort?: { column: number; descending: boolean };
  filters: TableFilter[];
}

/** A view: its rows in order, as a file of uint32 row numbers (none: the table's own order). */
export interface IView {
  permPath?: string;
  rows: number;
  /** Per column, the summary over the rows the filters keep (with filters only). */
  filteredSummary?: (ColumnSummary | null)[];
}

/**
 * Builds (once, cached in the table's folder) the view of a complete
 * table: the sort's permutation ({@link sortColumn}; alone, it is the
 * view), then a bitmap per filter from one sequential read of its column,
 * and the rows kept in the sort's order. Memory: a bit per row, plus blocks.
 */
export async function buildView(
  dir: string,
  state: ITableState,
  query: IViewQuery
): Promise<IView> {
  const rows = state.rowsIndexed;
  if (!query.sort && query.filters.length === 0) return { rows };
  let orderPath: string | undefined;
  if (query.sort) {
    const { column, descending } = query.sort;
    orderPath = path.join(
      dir,
      `sort-c${column}${descending ? '-desc' : ''}.perm`
    );
    if (!existsSync(`${orderPath}.json`)) {
      const valued = await sortColumn(
        dir,
        column,
        rows,
        isNumeric(state.columns[column].type),
        descending,
        orderPath
      );
      await fs.writeFile(`${orderPath}.json`, JSON.stringify({ valued }));
    }
    if (query.filters.length === 0) return { permPath: orderPath, rows };
  }
  const key = createHash('sha1')
    .update(JSON.stringify(query))
    .digest('hex')
    .slice(0, 16);
  const viewPath = path.join(dir, `view-${key}.perm`);
  const metaPath = `${viewPath}.json`;
  if (existsSync(metaPath)) {
    const meta = JSON.parse(await fs.readFile(metaPath, 'utf8')) as IView;
    return { ...meta, permPath: viewPath };
  }
  const kept = await filterBitmap(dir, state, query.filters);
  const view: IView = { rows: 0 };
  const out = await fs.open(viewPath, 'w');
  try {
    const block = new Uint32Array(65_536);
    let filled = 0;
    const keep = async (ids: ArrayLike<number>): Promise<void> => {
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k];
        if (!(kept[id >> 3] & (1 << (id & 7)))) continue;
        block[filled++] = id;
        view.rows++;
        if (filled === block.length) {
          await out.write(Buffer.from(block.buffer));
          filled = 0;
        }
      }
    };
    for (let start = 0; start < rows; start += 65_536) {
      const end = Math.min(rows, start + 65_536);
      await keep(
        orderPath
          ? await readPermutation(orderPath, start, end)
          : Uint32Array.from({ length: end - start }, (_, i) => start + i)
      );
    }
    if (filled) await out.write(Buffer.from(block.buffer, 0, filled * 4));
  } finally {
    await out.close();
  }
  view.filteredSummary = await summariesOf(dir, state, kept);
  await fs.writeFile(metaPath, JSON.stringify(view));
  return { ...view, permPath: viewPath };
}

/** Row numbers `start` to `end` (exclusive) of a view, in its order. */
export async function readView(
  view: IView,
  start: number,
  end: number
): Promise<Uint32Array> {
  return view.permPath
    ? readPermutation(view.permPath, start, end)
    : Uint32Array.from(
        { length: Math.max(0, end - start) },
        (_, i) => start + i
      );
}

/** Row numbers `start` to `end` (exclusive) of a permutation file. */
export async function readPermutation(
  permPath: string,
  start: number,
  end: number
): Promise<Uint32Array> {
  const out = new Uint32Array(Math.max(0, end - start));
  if (out.length === 0) return out;
  const handle = await fs.open(permPath, 'r');
  try {
    await handle.read(Buffer.from(out.buffer), 0, out.length * 4, start * 4);
  } finally {
    await handle.close();
  }
  return out;
}

/** One bit per row: set where every filter holds. */
async function filterBitmap(
  dir: string,
  state: ITableState,
  filters: TableFilter[]
): Promise<Uint8Array> {
  const rows = state.rowsIndexed;
  const kept = new Uint8Array(Math.ceil(rows / 8)).fill(0xff);
  for (const filter of filters) {
    const type = state.columns[filter.column].type;
    const reader = new ColumnReader(dir, filter.column);
    const wanted = filter.value.trim();
    const number = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(wanted)
      ? Number(wanted)
      : NaN;
    const byNumber = !Number.isNaN(number) && filter.op !== 'contains';
    const needle = wanted.toLowerCase();
    for (let start = 0; start < rows; start += 65_536) {
      const end = Math.min(rows, start + 65_536);
      const numbers =
        byNumber || isNumeric(type)
          ? await reader.numbers(start, end)
          : undefined;
      const texts = byNumber ? undefined : await reader.texts(start, end);
      for (let i = 0; i < end - start; i++) {
        let holds: boolean;
        if (byNumber) {
          const v = numbers![i];
          holds =
            filter.op === '='
              ? v === number
              : filter.op === '<'
                ? v < number
                : v > number;
        } else {
          const text =
            texts![i] ||
            (numbers && !Number.isNaN(numbers[i]) ? String(numbers[i]) : '');
          holds =
            filter.op === 'contains'
              ? text.toLowerCase().includes(needle)
              : filter.op === '='
                ? text.trim() === wanted
                : text !== '' &&
                  (filter.op === '<' ? text < wanted : text > wanted);
        }
        if (!holds) {
          const id = start + i;
          kept[id >> 3] &= ~(1 << (id & 7));
        }
      }
    }
  }
  return kept;
}

/** The summaries of the numeric columns over the kept rows. */
async function summariesOf(
  dir: string,
  state: ITableState,
  kept: Uint8Array
): Promise<(ColumnSummary | null)[]> {
  const rows = state.rowsIndexed;
  return Promise.all(
    state.columns.map(async (column, index) => {
      if (!isNumeric(column.type)) return null;
      const reader = new ColumnReader(dir, index);
      const s: INumberTally = {
        numbers: 0,
        missing: 0,
        sum: 0,
        min: Infinity,
        max: -Infinity
      };
      for (let start = 0; start < rows; start += 65_536) {
        const numbers = await reader.numbers(
          start,
          Math.min(rows, start + 65_536)
        );
        for (let i = 0; i < numbers.length; i++) {
          const id = start + i;
          if (!(kept[id >> 3] & (1 << (id & 7)))) continue;
          const v = numbers[i];
          if (Number.isNaN(v)) s.missing++;
          else tallyNumber(s, v);
        }
      }
      return summaryOf(s);
    })
  );
}
