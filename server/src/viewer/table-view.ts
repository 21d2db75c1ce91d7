import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { TableFilter } from '@jaxlab/schemas';
import { ColumnReader } from './column-files.js';
import { sortColumn } from './external-sort.js';
import type { ColumnSummary, ITableState } from './table-builder.js';

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

const isNumeric = (type: string): boolean =>
  type === 'integer' || type === 'number';

/**
 * Builds (once, cached in the table's folder) the view of a complete
 * table: the sort's permutation ({@link sortColumn}), then a bitmap per
 * filter from one sequential read of its column, and the rows kept in
 * the sort's order. Memory: a bit per row, plus blocks.
 */
export async function buildView(
  dir: string,
  state: ITableState,
  query: IViewQuery
): Promise<IView> {
  const rows = state.rowsIndexed;
  if (!query.sort && query.filters.length === 0) return { rows };
  const key = createHash('sha1')
    .update(JSON.stringify(query))
    .digest('hex')
    .slice(0, 16);
  const viewPath = path.join(dir, `view-${key}.perm`);
  const metaPath = `${viewPath}.json`;
  if (existsSync(metaPath)) {
    return {
      permPath: viewPath,
      ...(JSON.parse(await fs.readFile(metaPath, 'utf8')) as Omit<
        IView,
        'permPath'
      >)
    };
  }
  let order: { path: string; valued: number } | undefined;
  if (query.sort) {
    const column = query.sort.column;
    const sortPath = path.join(dir, `sort-c${column}.perm`);
    const valuedPath = `${sortPath}.json`;
    if (!existsSync(valuedPath)) {
      const valued = await sortColumn(
        dir,
        column,
        rows,
        isNumeric(state.columns[column].type),
        sortPath
      );
      await fs.writeFile(valuedPath, JSON.stringify({ valued }));
    }
    order = {
      path: sortPath,
      valued: (
        JSON.parse(await fs.readFile(valuedPath, 'utf8')) as { valued: number }
      ).valued
    };
  }
  const kept = query.filters.length
    ? await filterBitmap(dir, state, query.filters)
    : undefined;
  const view: Omit<IView, 'permPath'> = { rows: 0 };
  const out = await fs.open(viewPath, 'w');
  try {
    const block: number[] = [];
    const keep = (id: number): void => {
      if (kept && !(kept[id >> 3] & (1 << (id & 7)))) return;
      block.push(id);
      view.rows++;
    };
    const flush = async (): Promise<void> => {
      if (block.length < 65_536) return;
      await out.write(Buffer.from(Uint32Array.from(block).buffer));
      block.length = 0;
    };
    /** Rows `from` to `to` of the sort's order, in blocks, forwards or backwards. */
    const visit = async (
      from: number,
      to: number,
      backwards: boolean
    ): Promise<void> => {
      for (let i = 0; i < to - from; i += 65_536) {
        const start = backwards ? Math.max(from, to - i - 65_536) : from + i;
        const end = backwards ? to - i : Math.min(to, start + 65_536);
        const ids = await readPermutation(order!.path, start, end);
        if (backwards) for (let k = ids.length - 1; k >= 0; k--) keep(ids[k]);
        else for (let k = 0; k < ids.length; k++) keep(ids[k]);
        await flush();
      }
    };
    if (order) {
      // Descending: the valued rows reversed, rows without a value still last.
      await visit(0, order.valued, query.sort!.descending);
      await visit(order.valued, rows, false);
    } else {
      for (let id = 0; id < rows; id++) {
        keep(id);
        if ((id & 0xffff) === 0xffff) await flush();
      }
    }
    if (block.length)
      await out.write(Buffer.from(Uint32Array.from(block).buffer));
  } finally {
    await out.close();
  }
  if (kept) view.filteredSummary = await summariesOf(dir, state, kept);
  await fs.writeFile(metaPath, JSON.stringify(view));
  return { permPath: viewPath, ...view };
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
      const s = { count: 0, missing: 0, sum: 0, min: Infinity, max: -Infinity };
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
          else {
            s.count++;
            s.sum += v;
            if (v < s.min) s.min = v;
            if (v > s.max) s.max = v;
          }
        }
      }
      return {
        count: s.count,
        missing: s.missing,
        mean: s.count ? s.sum / s.count : null,
        min: s.count ? s.min : null,
        max: s.count ? s.max : null
      };
    })
  );
}
