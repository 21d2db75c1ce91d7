import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TablePage } from '@jaxlab/schemas';
import { ColumnWriter } from './column-files.js';

/** One cell as a format reader hands it over. */
export type Cell = string | number | boolean | null | undefined;

/** A table as a format reader streams it: its columns may grow as rows come. */
export interface ITableRows {
  /** Column names so far (a reader may append while rows come). */
  readonly columns: string[];
  /** Rows in batches (one await per batch, not per row). */
  rows: AsyncIterable<Cell[][]>;
}

export type ColumnType = TablePage['columns'][number]['type'];

export const isNumeric = (type: string): boolean =>
  type === 'integer' || type === 'number';

/** A cell as a page shows it, from its column's type and its stored number and text. */
export function shownCell(
  type: ColumnType,
  number: number,
  text: string
): TablePage['rows'][number][number] {
  if (isNumeric(type)) return Number.isNaN(number) ? null : number;
  if (type === 'boolean') return text === '' ? null : text === 'true';
  return text === '' && Number.isNaN(number) ? null : text || String(number);
}
export type ColumnSummary = NonNullable<
  TablePage['columns'][number]['summary']
>;

/** A running tally of a column's numbers, missing cells and bounds. */
export interface INumberTally {
  numbers: number;
  missing: number;
  sum: number;
  min: number;
  max: number;
}

/** Adds a number (not NaN) to a tally. */
export function tallyNumber(tally: INumberTally, value: number): void {
  tally.numbers++;
  tally.sum += value;
  if (value < tally.min) tally.min = value;
  if (value > tally.max) tally.max = value;
}

/** A numeric column's summary from its tally (mean, min and max null when it holds no number). */
export function summaryOf(tally: INumberTally): ColumnSummary {
  const { numbers } = tally;
  return {
    count: numbers,
    missing: tally.missing,
    mean: numbers ? tally.sum / numbers : null,
    min: numbers ? tally.min : null,
    max: numbers ? tally.max : null
  };
}

/** What an index knows of its table; shared live while it is being built. */
export interface ITableState {
  columns: { name: string; type: ColumnType; summary?: ColumnSummary }[];
  /** Rows written and readable. */
  rowsIndexed: number;
  complete: boolean;
  /** Set when the build failed (the index is removed). */
  error?: Error;
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a']);

/** Powers of ten a double holds exactly. */
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The number a decimal text spells (`[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`,
 * nothing else), or NaN: `Number(text)` where the text matches. By hand
 * because it runs once per cell of every table: up to 15 digits and a
 * power of ten up to 22, the digits as an integer times or divided by an
 * exact power is correctly rounded, as `Number` is (Clinger's fast path);
 * other texts go to `Number`.
 */
export function parseNumber(
  text: string,
  start = 0,
  end = text.length
): number {
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  const negative = c === 45;
  if (negative || c === 43) c = ++i < end ? text.charCodeAt(i) : -1;
  let mantissa = 0;
  let digits = 0;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = ++i < end ? text.charCodeAt(i) : -1;
  }
  let fraction = 0;
  if (c === 46) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      fraction++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
  }
  if (digits + fraction === 0) return NaN;
  let exponent = 0;
  if (c === 101 || c === 69) {
    c = ++i < end ? text.charCodeAt(i) : -1;
    const negativeExponent = c === 45;
    if (negativeExponent || c === 43) c = ++i < end ? text.charCodeAt(i) : -1;
    let exponentDigits = 0;
    while (c >= 48 && c <= 57) {
      exponent = exponent * 10 + (c - 48);
      exponentDigits++;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
    if (exponentDigits === 0) return NaN;
    if (negativeExponent) exponent = -exponent;
  }
  if (i < end) return NaN;
  const power = exponent - fraction;
  if (digits + fraction > 15 || power > 22 || power < -22)
    return Number(text.slice(start, end));
  const value =
    power >= 0
      ? mantissa * EXACT_POWERS[power]
      : mantissa / EXACT_POWERS[-power];
  return negative ? -value : value;
}

/**
 * {@link parseNumber} of the plainest decimals only (`[+-]?(\d+\.?\d*|\.\d+)`,
 * at most 15 digits) else NaN, of `text` from `start` to `end` or to the
 * first `stop` code (a separator) before; the code at `end` must be none
 * of a number's (a line end, or past the text). What a pass over a number
 * column meets on most rows, in a function small enough to be inlined (a
 * number answered by a call that is not is allocated).
 */
export function parsePlainDecimal(
  text: string,
  start: number,
  end: number,
  stop: number
): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === 45;
  if (negative || c === 43) c = text.charCodeAt(++i);
  let mantissa = 0;
  let digits = 0;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = text.charCodeAt(++i);
  }
  let fraction = 0;
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      fraction++;
      c = text.charCodeAt(++i);
    }
  }
  if (
    (i !== end && c !== stop) ||
    digits + fraction === 0 ||
    digits + fraction > 15
  )
    return NaN;
  const value = fraction ? mantissa / EXACT_POWERS[fraction] : mantissa;
  return negative ? -value : value;
}

/** Running counts of one column, from which its type and summary follow. */
export class ColumnStats implements INumberTally {
  numbers = 0;
  integers = 0;
  booleans = 0;
  texts = 0;
  missing = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** The text of the cell last added, as stored. */
  get text(): string {
    if (this._textEnd >= 0) {
      this._text = this._textSource.slice(this._textStart, this._textEnd);
      this._textEnd = -1;
    }
    return this._text;
  }

  set text(text: string) {
    this._text = text;
    this._textEnd = -1;
  }

  /**
   * As {@link add} of `source.slice(start, end)`, the slice only made
   * when needed (a pass over one column reads most numbers' text never).
   */
  addRange(source: string, start: number, end: number): number {
    const first = source.charCodeAt(start);
    const last = source.charCodeAt(end - 1);
    if (
      end > start &&
      first > 32 &&
      last > 32 &&
      ((first >= 48 && first <= 57) ||
        first === 43 ||
        first === 45 ||
        first === 46)
    ) {
      const value = parseNumber(source, start, end);
      if (value === value) {
        this.addNumber(value);
        this._textSource = source;
        this._textStart = start;
        this._textEnd = end;
        return value;
      }
    }
    return this.add(source.slice(start, end));
  }

  /** Classifies a cell: answers its number (NaN: none); its text is then {@link text}. */
  add(cell: Cell): number {
    if (cell === null || cell === undefined) {
      this.missing++;
      this.text = '';
      return NaN;
    }
    if (typeof cell === 'number') {
      if (!Number.isFinite(cell)) {
        this.missing++;
        this.text = String(cell);
        return NaN;
      }
      this.addNumber(cell);
      this.text = '';
      return cell;
    }
    if (typeof cell === 'boolean') {
      this.booleans++;
      this.text = String(cell);
      return NaN;
    }
    const text =
      cell.length > 0 &&
      (cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32)
        ? cell.trim()
        : cell;
    const first = text.charCodeAt(0);
    // The missing words all start with an n.
    if (
      text.length === 0 ||
      (text.length <= 4 &&
        (first | 32) === 110 &&
        MISSING.has(text.toLowerCase()))
    ) {
      this.missing++;
      this.text = cell;
      return NaN;
    }
    // Digits, sign or point first: only then can it be a number.
    if (
      (first >= 48 && first <= 57) ||
      first === 43 ||
      first === 45 ||
      first === 46
    ) {
      const value = parseNumber(text);
      if (value === value) {
        this.addNumber(value);
        this.text = cell;
        return value;
      }
    }
    if (
      text === 'true' ||
      text === 'false' ||
      text === 'True' ||
      text === 'False'
    ) {
      this.booleans++;
      this.text = text.toLowerCase();
      return NaN;
    }
    this.texts++;
    this.text = cell;
    return NaN;
  }

  get type(): ColumnType {
    if (this.numbers + this.booleans + this.texts === 0) return 'empty';
    if (this.texts > 0 || (this.numbers > 0 && this.booleans > 0))
      return 'string';
    if (this.booleans > 0) return 'boolean';
    return this.integers === this.numbers ? 'integer' : 'number';
  }

  get summary(): ColumnSummary | undefined {
    return isNumeric(this.type) ? summaryOf(this) : undefined;
  }

  private _text = '';
  private _textSource = '';
  private _textStart = 0;
  private _textEnd = -1;

  /** Counts a finite number (its text is not kept: {@link text} is then stale). */
  addNumber(value: number): void {
    tallyNumber(this, value);
    if (Number.isInteger(value)) this.integers++;
  }
}

/** Rows between two publications of progress (and flushes). */
const PUBLISH_EVERY_ROWS = 8192;

/**
 * Writes the column files of a table ({@link ColumnWriter}) into `dir`
 * while inferring each column's type and summing its summary, publishing
 * progress in `state` every few thousand rows so that the first pages can
 * be served before the whole table is read; writes `meta.json` last.
 * Memory stays bounded whatever the table's size.
 */
export async function buildTable(
  dir: string,
  table: ITableRows,
  state: ITableState,
  /** Asked between blocks: a promise to wait for before the next (another pass has the thread). */
  paused: () => Promise<unknown> | undefined = () => undefined,
  /** Called after each publication of progress. */
  published: () => void = () => undefined
): Promise<void> {
  const writers: ColumnWriter[] = [];
  const stats: ColumnStats[] = [];
  let rows = 0;
  const publish = (): void => {
    for (const writer of writers) writer.flush();
    state.columns = table.columns.map((name, i) => ({
      name,
      type: stats[i]?.type ?? 'empty',
      summary: stats[i]?.summary
    }));
    state.rowsIndexed = rows;
    published();
  };
  try {
    let published = 0;
    for await (const batch of table.rows) {
      for (const cells of batch) {
        while (writers.length < table.columns.length) {
          const writer = new ColumnWriter(dir, writers.length);
          writer.padTo(rows);
          writers.push(writer);
          const columnStats = new ColumnStats();
          columnStats.missing = rows;
          stats.push(columnStats);
        }
        for (let i = 0; i < writers.length; i++) {
          const value = stats[i].add(cells[i]);
          writers[i].push(value, stats[i].text);
        }
        rows++;
      }
      let pause = paused();
      if (rows - published >= PUBLISH_EVERY_ROWS || published === 0 || pause) {
        publish();
        published = rows;
        // Let page requests in between blocks.
        await new Promise(resolve => setImmediate(resolve));
        for (pause = paused(); pause; pause = paused()) await pause;
      }
    }
    publish();
  } finally {
    for (const writer of writers) writer.close();
  }
  await fs.writeFile(
    path.join(dir, 'meta.json'),
    JSON.stringify({ columns: state.columns, rowCount: rows })
  );
  state.complete = true;
}
