import type { Readable } from 'node:stream';
import {
  FIRST_BATCH_RECORDS,
  parseRecord,
  scanColumn
} from './delimited-scanner.js';
import type { IPlainNumbers, OnField } from './delimited-scanner.js';
import { ColumnStats, isNumeric } from './table-builder.js';
import type { ColumnType, ITableState } from './table-builder.js';
import { columnNames } from './table-formats.js';

/** The first rows of a delimited table in the order of one column. */
export interface ITopRows {
  /** Row numbers, in the view's order. */
  rowNumbers: number[];
  /** Each of those rows' fields, as the index pass reads them. */
  records: string[][];
  /** The table's row count. */
  totalRows: number;
  /** The sort column's type over every row (what decides number or text order). */
  sortType: ColumnType;
  /**
   * The columns as the index publishes them after its first batch of
   * records (names, and types and summaries of those rows), for a page
   * served before the index has published anything.
   */
  firstColumns: ITableState['columns'];
}

/** Numbers (and nothing else) seen before a column is taken to be numeric and no longer kept by text. */
const LOOKS_NUMERIC = 1024;

/** A row kept: its number and its record's text (copied: a slice would hold its whole chunk). */
interface IKeptRow {
  row: number;
  source: Buffer;
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * Rows kept in order of (key, row), the best first; only the `capacity`
 * best stay. A row is offered with where its record lies in the text of
 * the chunk being read; the records (and text keys) of the rows still
 * kept are copied out only when the pass moves on to the next text
 * ({@link settle}), so that a row pushed out by a later row of the same
 * chunk (every row, on a column already in order) costs no copy.
 */
class BestRows<K extends number | string> {
  constructor(
    private readonly _capacity: number,
    private readonly _before: (a: K, b: K) => boolean
  ) {}

  /** The worst key kept once full (undefined before). */
  get worst(): K | undefined {
    return this._keys.length < this._capacity ? undefined : this._keys[0];
  }

  /** Whether a row with `key`, coming after every row offered so far, would be kept. */
  wants(key: K): boolean {
    return (
      this._keys.length < this._capacity || this._before(key, this._keys[0])
    );
  }

  /** Keeps the row, its record `text.slice(start, end)` (call after {@link wants} said yes). */
  add(key: K, row: number, text: string, start: number, end: number): void {
    if (text !== this._text) this.settle();
    this._text = text;
    // A max-heap on the worst kept row: rows come in row order, so an equal key is the worse.
    const keys = this._keys;
    const rows = this._rows;
    let i: number;
    if (keys.length < this._capacity) {
      i = keys.length;
      keys.push(key);
      rows.push(row);
      this._sources.push(undefined);
      this._starts.push(start);
      this._ends.push(end);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this._worse(i, parent)) break;
        this._swap(i, parent);
        i = parent;
      }
      return;
    }
    keys[0] = key;
    rows[0] = row;
    this._sources[0] = undefined;
    this._starts[0] = start;
    this._ends[0] = end;
    i = 0;
    for (;;) {
      const left = 2 * i + 1;
      let top = i;
      if (left < keys.length && this._worse(left, top)) top = left;
      if (left + 1 < keys.length && this._worse(left + 1, top)) top = left + 1;
      if (top === i) break;
      this._swap(i, top);
      i = top;
    }
  }

  /** Copies the records (and text keys) of the rows kept from the current text. */
  settle(): void {
    const text = this._text;
    this._sources.forEach((source, i) => {
      if (source) return;
      this._sources[i] = Buffer.from(
        text.slice(this._starts[i], this._ends[i])
      );
      const key = this._keys[i];
      if (typeof key === 'string')
        this._keys[i] = Buffer.from(key).toString() as K;
    });
    this._text = '';
  }

  /** The kept rows, best first, with their sources. */
  sorted(): IKeptRow[] {
    this.settle();
    return this._keys
      .map((key, i) => ({ key, row: this._rows[i], source: this._sources[i]! }))
      .sort((a, b) =>
        this._before(a.key, b.key)
          ? -1
          : this._before(b.key, a.key)
            ? 1
            : a.row - b.row
      );
  }

  /** Whether kept row `i` is worse than kept row `j` (an equal key: the later row). */
  private _worse(i: number, j: number): boolean {
    const keys = this._keys;
    return (
      this._before(keys[j], keys[i]) ||
      (!this._before(keys[i], keys[j]) && this._rows[i] > this._rows[j])
    );
  }

  private _swap(i: number, j: number): void {
    swap(this._keys, i, j);
    swap(this._rows, i, j);
    swap(this._sources, i, j);
    swap(this._starts, i, j);
    swap(this._ends, i, j);
  }

  private _keys: K[] = [];
  private _rows: number[] = [];
  /** Each kept row's record: copied, or (undefined) `_text.slice(start, end)`. */
  private _sources: (Buffer | undefined)[] = [];
  private _starts: number[] = [];
  private _ends: number[] = [];
  private _text = '';
}

/**
 * The first `count` rows of a CSV or TSV table ordered by column `column`
 * exactly as the complete index orders them ({@link sortColumn} over the
 * column files of {@link buildTable}): by number when the column's type
 * over every row is numeric, else by text; equal values by row; rows
 * without a value last, by row. One pass over `open()`'s stream reading
 * only that column's fields keeps the best `count` rows by number (and,
 * until the column looks numeric, by text), with a copy of each one's
 * record, while the column's type is counted: the type is only known at
 * the end. A column that looked numeric and was not (text in a late row)
 * takes a second pass, by text. Once the column looks numeric, its plain
 * decimals are taken by the scanner ({@link IPlainNumbers}): a row goes
 * further only if it beats the worst kept. The first 1,023 rows are read
 * whole, for the columns' names, types and summaries a page shows before
 * the index has published any. Memory: 4 x `count` records. Null when
 * the first record (the column names) has no such column.
 */
export async function topRows(
  open: () => Promise<Readable>,
  delimiter: ',' | '\t',
  column: number,
  descending: boolean,
  count: number
): Promise<ITopRows | null> {
  try {
    return await sortedRows(open, delimiter, column, descending, count);
  } catch (error) {
    if (error === NO_COLUMN) return null;
    throw error;
  }
}

/** Thrown to end a pass whose column the table does not have. */
const NO_COLUMN = new Error('no such column');

async function sortedRows(
  open: () => Promise<Readable>,
  delimiter: ',' | '\t',
  column: number,
  descending: boolean,
  count: number
): Promise<ITopRows> {
  const first = await onePass(
    await open(),
    delimiter,
    column,
    descending,
    count,
    false
  );
  const pass =
    !isNumeric(first.sortType) && !first.byTextComplete
      ? await onePass(await open(), delimiter, column, descending, count, true)
      : first;
  const kept = pass.ordered.slice(0, count);
  return {
    rowNumbers: kept.map(r => r.row),
    records: kept.map(r => parseRecord(r.source.toString(), delimiter)),
    totalRows: pass.totalRows,
    sortType: pass.sortType,
    firstColumns: first.firstColumns
  };
}

async function onePass(
  stream: Readable,
  delimiter: ',' | '\t',
  column: number,
  descending: boolean,
  count: number,
  alwaysByText: boolean
) {
  const sign = descending ? -1 : 1;
  const byNumber = new BestRows<number>(count, (a, b) =>
    // The index's radix sort orders -0 before 0.
    a === b ? a === 0 && 1 / (sign * a) < 1 / (sign * b) : sign * a < sign * b
  );
  const byText = new BestRows<string>(count, (a, b) =>
    descending ? a > b : a < b
  );
  // Rows without a number (or text): they follow, by row; the first `count` suffice.
  const noNumber: IKeptRow[] = [];
  const noText: IKeptRow[] = [];
  const stats = new ColumnStats();
  // Whether every row so far was offered by text (not needed once the column looks numeric).
  let byTextComplete = true;
  // Once `count` rows are kept, a number with sign * value > bar is not: most rows stop there.
  const numbers: IPlainNumbers = {
    taking: false,
    stats,
    sign,
    bar: Infinity,
    onNumber: (value, record, text, start, end) => {
      if (!byNumber.wants(value)) return;
      byNumber.add(value, record - 1, text, start, end);
      const worst = byNumber.worst;
      if (worst !== undefined) numbers.bar = numbers.sign * worst;
    }
  };
  // The first batch's columns, as the index publishes them.
  let names: string[] = [];
  const firstStats: ColumnStats[] = [];
  const onField: OnField = (record, source, from, to, text, start, end) => {
    if (record === 0) {
      // The column names.
      if (from === -1) throw NO_COLUMN;
      names = columnNames(parseRecord(text.slice(start, end), delimiter));
      for (const _ of names) firstStats.push(new ColumnStats());
      return;
    }
    if (record < FIRST_BATCH_RECORDS) {
      const cells = parseRecord(text.slice(start, end), delimiter);
      firstStats.forEach((stats, i) => stats.add(cells[i]));
    }
    const id = record - 1;
    const value =
      from === -1 ? stats.add(undefined) : stats.addRange(source, from, to);
    if (value === value) {
      if (sign * value <= numbers.bar)
        numbers.onNumber(value, record, text, start, end);
    } else if (noNumber.length < count)
      // Copied: a slice would hold its whole chunk.
      noNumber.push({ row: id, source: Buffer.from(text.slice(start, end)) });
    if (alwaysByText) {
      // Every row is offered by text.
    } else if (!byTextComplete) return;
    else if (
      stats.texts === 0 &&
      stats.booleans === 0 &&
      stats.numbers >= LOOKS_NUMERIC
    ) {
      // From here on, plain decimals are taken by the scanner.
      byTextComplete = false;
      numbers.taking = true;
      return;
    }
    const shown = stats.text;
    if (shown !== '') {
      if (byText.wants(shown)) byText.add(shown, id, text, start, end);
    } else if (noText.length < count)
      noText.push({ row: id, source: Buffer.from(text.slice(start, end)) });
  };
  const records = await scanColumn(stream, delimiter, column, onField, numbers);
  const sortType = stats.type;
  return {
    sortType,
    totalRows: Math.max(0, records - 1),
    firstColumns: names.map((name, i) => ({
      name,
      type: firstStats[i].type,
      summary: firstStats[i].summary
    })),
    byTextComplete,
    ordered: isNumeric(sortType)
      ? [...byNumber.sorted(), ...noNumber]
      : [...byText.sorted(), ...noText]
  };
}
