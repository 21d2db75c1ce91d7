import type { Readable } from 'node:stream';
import { parseRecord, scanDelimitedText } from './delimited-scanner.js';
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
 * The first `count` rows of a CSV or TSV stream ordered by column
 * `column` exactly as the complete index orders them ({@link sortColumn}
 * over the column files of {@link buildTable}): by number when the column's
 * type over every row is numeric, else by text; equal values by row;
 * rows without a value last, by row. One pass reading only that column's
 * fields: the best `count` rows by number and by text are kept (with
 * a copy of each one's record) while the column's type is counted, since the
 * type is only known at the end. Memory: 4 x `count` records.
 */
export async function topRows(
  stream: Readable,
  delimiter: ',' | '\t',
  column: number,
  descending: boolean,
  count: number
): Promise<ITopRows> {
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
  const picked: boolean[] = [];
  picked[column] = true;
  let row = -1; // the first record names the columns
  for await (const batch of scanDelimitedText(stream, delimiter, picked)) {
    const { records, text, starts, ends } = batch;
    const source = (r: number): Buffer =>
      Buffer.from(text.slice(starts[r], ends[r]));
    for (let r = 0; r < records.length; r++, row++) {
      if (row < 0) continue;
      const [value, shown] = stats.add(records[r][column]);
      if (value === value) {
        if (byNumber.wants(value)) byNumber.add(value, row, source(r));
      } else if (noNumber.length < count)
        noNumber.push({ row, source: source(r) });
      if (shown !== '') {
        // Copied, as the record: a slice would hold its chunk.
        if (byText.wants(shown))
          byText.add(Buffer.from(shown).toString(), row, source(r));
      } else if (noText.length < count) noText.push({ row, source: source(r) });
    }
  }
  const sortType = stats.type;
  const ordered = isNumeric(sortType)
    ? [...byNumber.sorted(), ...noNumber]
    : [...byText.sorted(), ...noText];
  const first = ordered.slice(0, count);
  return {
    rowNumbers: first.map(r => r.row),
    records: first.map(r => parseRecord(r.source.toString(), delimiter)),
    totalRows: Math.max(0, row),
    sortType
  };
}
