import type { Readable } from 'node:stream';
import { parseRecord, scanColumn } from './delimited-scanner.js';
import type { OnField } from './delimited-scanner.js';
import { ColumnStats, isNumeric } from './table-builder.js';
import type { ColumnType } from './table-builder.js';

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
}

/** Numbers (and nothing else) seen before a column is taken to be numeric and no longer kept by text. */
const LOOKS_NUMERIC = 1024;

/** A row kept: its number and its record's text (copied: a slice would hold its whole chunk). */
interface IKeptRow {
  row: number;
  source: Buffer;
}

/** Rows kept in order of (key, row), the best first; only the `capacity` best stay. */
class BestRows<K> {
  constructor(
    private readonly _capacity: number,
    private readonly _before: (a: K, b: K) => boolean
  ) {}

  /** Whether a row with `key`, coming after every row offered so far, would be kept. */
  wants(key: K): boolean {
    return (
      this._keys.length < this._capacity || this._before(key, this._keys[0])
    );
  }

  /** Keeps the row (call after {@link wants} said yes). */
  add(key: K, row: number, source: Buffer): void {
    // A max-heap on the worst kept row: rows come in row order, so an equal key is the worse.
    const keys = this._keys;
    const rows = this._rows;
    const sources = this._sources;
    const worse = (i: number, j: number): boolean =>
      this._before(keys[j], keys[i]) ||
      (!this._before(keys[i], keys[j]) && rows[i] > rows[j]);
    let i: number;
    if (keys.length < this._capacity) {
      i = keys.length;
      keys.push(key);
      rows.push(row);
      sources.push(source);
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        this._swap(i, parent);
        i = parent;
      }
      return;
    }
    keys[0] = key;
    rows[0] = row;
    sources[0] = source;
    i = 0;
    for (;;) {
      const left = 2 * i + 1;
      let top = i;
      if (left < keys.length && worse(left, top)) top = left;
      if (left + 1 < keys.length && worse(left + 1, top)) top = left + 1;
      if (top === i) break;
      this._swap(i, top);
      i = top;
    }
  }

  /** The kept rows, best first, with their sources. */
  sorted(): IKeptRow[] {
    return this._keys
      .map((key, i) => ({ key, row: this._rows[i], source: this._sources[i] }))
      .sort((a, b) =>
        this._before(a.key, b.key)
          ? -1
          : this._before(b.key, a.key)
            ? 1
            : a.row - b.row
      );
  }

  private _swap(i: number, j: number): void {
    for (const a of [this._keys, this._rows, this._sources] as unknown[][])
      [a[i], a[j]] = [a[j], a[i]];
  }

  private _keys: K[] = [];
  private _rows: number[] = [];
  private _sources: Buffer[] = [];
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
 * takes a second pass, by text. Memory: 4 x `count` records. Null when
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
  let pass = await onePass(
    await open(),
    delimiter,
    column,
    descending,
    count,
    false
  );
  if (!isNumeric(pass.sortType) && !pass.byTextComplete)
    pass = await onePass(
      await open(),
      delimiter,
      column,
      descending,
      count,
      true
    );
  const { sortType, totalRows } = pass;
  const first = pass.ordered.slice(0, count);
  return {
    rowNumbers: first.map(r => r.row),
    records: first.map(r => parseRecord(r.source.toString(), delimiter)),
    totalRows,
    sortType
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
  let row = -1; // the first record names the columns
  const onField: OnField = (source, from, to, text, start, end) => {
    if (row++ < 0) {
      if (from === -1) throw NO_COLUMN;
      return;
    }
    const id = row - 1;
    // Records are copied: a slice would hold its whole chunk.
    const value =
      from === -1 ? stats.add(undefined) : stats.addRange(source, from, to);
    if (value === value) {
      if (byNumber.wants(value))
        byNumber.add(value, id, Buffer.from(text.slice(start, end)));
    } else if (noNumber.length < count)
      noNumber.push({ row: id, source: Buffer.from(text.slice(start, end)) });
    if (alwaysByText) {
      // Every row is offered by text.
    } else if (!byTextComplete) return;
    else if (
      stats.texts === 0 &&
      stats.booleans === 0 &&
      stats.numbers >= LOOKS_NUMERIC
    ) {
      byTextComplete = false;
      return;
    }
    const shown = stats.text;
    if (shown !== '') {
      if (byText.wants(shown))
        byText.add(
          Buffer.from(shown).toString(),
          id,
          Buffer.from(text.slice(start, end))
        );
    } else if (noText.length < count)
      noText.push({ row: id, source: Buffer.from(text.slice(start, end)) });
  };
  await scanColumn(stream, delimiter, column, onField);
  const sortType = stats.type;
  return {
    sortType,
    totalRows: Math.max(0, row),
    byTextComplete,
    ordered: isNumeric(sortType)
      ? [...byNumber.sorted(), ...noNumber]
      : [...byText.sorted(), ...noText]
  };
}
