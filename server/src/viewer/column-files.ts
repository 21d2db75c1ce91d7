import { closeSync, openSync, writeSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * One table column on disk, in the table's cache folder: numbers as
 * `c<i>.num` (float64 per row, NaN where the value is missing or not a
 * number) and text as `c<i>.str` (UTF-8, back to back) with `c<i>.off`
 * (float64 byte offset of each row's text, plus one past the last). A
 * value of row r is one read at a known place: pages, sorts and filters
 * read only what they need.
 */
export const columnFiles = (dir: string, index: number) => ({
  num: path.join(dir, `c${index}.num`),
  str: path.join(dir, `c${index}.str`),
  off: path.join(dir, `c${index}.off`)
});

/** Rows buffered before a write (so the writer's memory stays bounded). */
const FLUSH_ROWS = 8192;
/** Text bytes buffered before a write. */
const TEXT_BUFFER_BYTES = 1 << 20;

/**
 * Appends one column's values row by row while a table is indexed,
 * synchronously, into fixed buffers written out every {@link FLUSH_ROWS}
 * rows (or 1 MiB of text).
 */
export class ColumnWriter {
  constructor(dir: string, index: number) {
    const files = columnFiles(dir, index);
    this._num = openSync(files.num, 'w');
    this._str = openSync(files.str, 'w');
    this._off = openSync(files.off, 'w');
    this._offsets[0] = 0;
    this._offsetCount = 1;
  }

  /** Rows written so far (flushed or not). */
  get rows(): number {
    return this._rows;
  }

  /** Appends row `this.rows`: its number (NaN: none) and its text. */
  push(value: number, text: string): void {
    this._numbers[this._numberCount++] = value;
    if (text) {
      // ASCII and one-byte strings need at most 3 bytes a character in UTF-8.
      if (this._textBytes + text.length * 3 > this._text.length) {
        this._flushText();
        if (text.length * 3 > this._text.length)
          this._text = Buffer.allocUnsafe(text.length * 3);
      }
      this._textBytes += this._text.write(text, this._textBytes);
    }
    this._offsets[this._offsetCount++] = this._textBase + this._textBytes;
    this._rows++;
    if (this._numberCount === FLUSH_ROWS) this.flush();
  }

  /** Appends missing values until the column has `rows` rows (a column that appeared late). */
  padTo(rows: number): void {
    while (this._rows < rows) this.push(NaN, '');
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this._numberCount > 0)
      writeSync(
        this._num,
        new Uint8Array(this._numbers.buffer, 0, this._numberCount * 8)
      );
    this._flushText();
    if (this._offsetCount > 0)
      writeSync(
        this._off,
        new Uint8Array(this._offsets.buffer, 0, this._offsetCount * 8)
      );
    this._numberCount = 0;
    this._offsetCount = 0;
  }

  /** Flushes and closes the files. */
  close(): void {
    this.flush();
    closeSync(this._num);
    closeSync(this._str);
    closeSync(this._off);
  }

  private _flushText(): void {
    if (this._textBytes > 0)
      writeSync(this._str, this._text, 0, this._textBytes);
    this._textBase += this._textBytes;
    this._textBytes = 0;
  }

  private _num: number;
  private _str: number;
  private _off: number;
  private _rows = 0;
  private _numbers = new Float64Array(FLUSH_ROWS);
  private _numberCount = 0;
  private _offsets = new Float64Array(FLUSH_ROWS + 1);
  private _offsetCount = 0;
  private _text = Buffer.allocUnsafe(TEXT_BUFFER_BYTES);
  private _textBytes = 0;
  private _textBase = 0;
}

/** Reads one column's values (see {@link columnFiles}). */
export class ColumnReader {
  constructor(dir: string, index: number) {
    this._files = columnFiles(dir, index);
  }

  /** The numbers of rows `start` to `end` (exclusive). */
  async numbers(start: number, end: number): Promise<Float64Array> {
    const out = new Float64Array(Math.max(0, end - start));
    if (out.length === 0) return out;
    const handle = await fs.open(this._files.num, 'r');
    try {
      await handle.read(Buffer.from(out.buffer), 0, out.length * 8, start * 8);
    } finally {
      await handle.close();
    }
    return out;
  }

  /** The texts of rows `start` to `end` (exclusive). */
  async texts(start: number, end: number): Promise<string[]> {
    if (end <= start) return [];
    const offsets = new Float64Array(end - start + 1);
    const off = await fs.open(this._files.off, 'r');
    try {
      await off.read(
        Buffer.from(offsets.buffer),
        0,
        offsets.length * 8,
        start * 8
      );
    } finally {
      await off.close();
    }
    const from = offsets[0];
    const bytes = Buffer.alloc(offsets[offsets.length - 1] - from);
    if (bytes.length > 0) {
      const str = await fs.open(this._files.str, 'r');
      try {
        await str.read(bytes, 0, bytes.length, from);
      } finally {
        await str.close();
      }
    }
    const out: string[] = [];
    for (let i = 0; i < offsets.length - 1; i++)
      out.push(
        bytes.toString('utf8', offsets[i] - from, offsets[i + 1] - from)
      );
    return out;
  }

  /** The numbers and texts of the given rows, in their order (one open per file). */
  async at(
    ids: ArrayLike<number>
  ): Promise<{ numbers: number[]; texts: string[] }> {
    const numbers: number[] = [];
    const texts: string[] = [];
    const [num, off, str] = await Promise.all([
      fs.open(this._files.num, 'r'),
      fs.open(this._files.off, 'r'),
      fs.open(this._files.str, 'r')
    ]);
    try {
      const eight = Buffer.alloc(16);
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        await num.read(eight, 0, 8, id * 8);
        numbers.push(eight.readDoubleLE(0));
        await off.read(eight, 0, 16, id * 8);
        const from = eight.readDoubleLE(0);
        const length = eight.readDoubleLE(8) - from;
        const bytes = Buffer.alloc(length);
        if (length > 0) await str.read(bytes, 0, length, from);
        texts.push(bytes.toString('utf8'));
      }
    } finally {
      await Promise.all([num.close(), off.close(), str.close()]);
    }
    return { numbers, texts };
  }

  private _files: ReturnType<typeof columnFiles>;
}
