import { promises as fs } from 'node:fs';
import { ColumnReader } from './column-files.js';

/** Entries sorted in memory at once; more make several runs, merged. */
const RUN_ENTRIES = 1 << 21;
/** Text bytes of one run at most. */
const RUN_TEXT_BYTES = 32 * 1024 * 1024;
/** Rows read per block. */
const BLOCK_ROWS = 65_536;

/**
 * Writes to `outPath` the row numbers of column `column` ordered by its
 * value, ascending or descending (equal values by row either way: stable),
 * rows without a value last, as
 * uint32; resolves with how many rows have a value. An external merge
 * sort: the column is read in blocks into runs of at most
 * {@link RUN_ENTRIES} entries (or {@link RUN_TEXT_BYTES} of text), each
 * sorted in memory — numbers by an LSD radix sort of their IEEE-754 bits,
 * text by comparison — and, when there is more than one, written to a
 * temporary file and merged. Memory stays one run whatever the table's size.
 */
export async function sortColumn(
  dir: string,
  column: number,
  rows: number,
  byNumber: boolean,
  descending: boolean,
  outPath: string
): Promise<number> {
  const reader = new ColumnReader(dir, column);
  const missingPath = `${outPath}.missing`;
  const missing = await fs.open(missingPath, 'w');
  const runs: string[] = [];
  const out = await fs.open(outPath, 'w');
  let valued = 0;
  try {
    const run = byNumber
      ? new NumberRun(Math.min(rows + BLOCK_ROWS, RUN_ENTRIES), descending)
      : new TextRun(descending);
    for (let start = 0; start < rows; start += BLOCK_ROWS) {
      const end = Math.min(rows, start + BLOCK_ROWS);
      const gaps = byNumber
        ? (run as NumberRun).add(start, await reader.numbers(start, end))
        : (run as TextRun).add(start, await reader.texts(start, end));
      if (gaps.length)
        await missing.write(Buffer.from(gaps.buffer, 0, gaps.length * 4));
      if (run.isFull && end < rows) {
        const path = `${outPath}.run${runs.length}`;
        valued += run.size;
        await fs.writeFile(path, run.sortedRecords());
        runs.push(path);
        run.clear();
      }
    }
    valued += run.size;
    if (runs.length === 0) {
      const ids = run.sortedIds();
      await out.write(Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength));
    } else {
      const path = `${outPath}.run${runs.length}`;
      await fs.writeFile(path, run.sortedRecords());
      runs.push(path);
      run.clear();
      await mergeRuns(runs, byNumber, !byNumber && descending, out);
    }
    await missing.close();
    await out.write(await fs.readFile(missingPath));
  } finally {
    await missing.close().catch(() => undefined);
    await out.close();
    await Promise.all(
      [...runs, missingPath].map(path => fs.rm(path, { force: true }))
    );
  }
  return valued;
}

/** Numbers of one run, with their rows. */
class NumberRun {
  constructor(capacity: number, descending: boolean) {
    this._keys = new Float64Array(capacity);
    this._ids = new Uint32Array(capacity);
    this._sign = descending ? -1 : 1;
  }

  size = 0;
  /** No room for another block. */
  get isFull(): boolean {
    return this.size + BLOCK_ROWS > this._keys.length;
  }

  /** Adds a block's numbers; returns the rows without one. */
  add(start: number, numbers: Float64Array): Uint32Array {
    const gaps: number[] = [];
    for (let i = 0; i < numbers.length; i++) {
      const v = numbers[i];
      if (v !== v) gaps.push(start + i);
      else {
        // Descending: the negated keys ascending, rows still in order.
        this._keys[this.size] = this._sign * v;
        this._ids[this.size++] = start + i;
      }
    }
    return Uint32Array.from(gaps);
  }

  sortedIds(): Uint32Array {
    const order = radixOrder(this._keys, this.size);
    const ids = new Uint32Array(this.size);
    for (let i = 0; i < this.size; i++) ids[i] = this._ids[order[i]];
    return ids;
  }

  /** The run as records of a uint32 row and a float64 key. */
  sortedRecords(): Buffer {
    const order = radixOrder(this._keys, this.size);
    const out = Buffer.allocUnsafe(this.size * 12);
    for (let i = 0; i < this.size; i++) {
      out.writeUInt32LE(this._ids[order[i]], i * 12);
      out.writeDoubleLE(this._keys[order[i]], i * 12 + 4);
    }
    return out;
  }

  clear(): void {
    this.size = 0;
  }

  private _keys: Float64Array;
  private _ids: Uint32Array;
  private _sign: number;
}

/** Texts of one run, with their rows. */
class TextRun {
  constructor(descending: boolean) {
    this._sign = descending ? -1 : 1;
  }

  size = 0;
  get isFull(): boolean {
    return (
      this.size + BLOCK_ROWS > RUN_ENTRIES || this._bytes >= RUN_TEXT_BYTES
    );
  }

  add(start: number, texts: string[]): Uint32Array {
    const gaps: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (texts[i] === '') gaps.push(start + i);
      else {
        this._keys.push(texts[i]);
        this._ids.push(start + i);
        this._bytes += texts[i].length;
        this.size++;
      }
    }
    return Uint32Array.from(gaps);
  }

  private _order(): number[] {
    const keys = this._keys;
    const ids = this._ids;
    const sign = this._sign;
    const order = Array.from({ length: keys.length }, (_, i) => i);
    return order.sort((a, b) =>
      keys[a] < keys[b] ? -sign : keys[a] > keys[b] ? sign : ids[a] - ids[b]
    );
  }

  sortedIds(): Uint32Array {
    return Uint32Array.from(this._order(), i => this._ids[i]);
  }

  /** The run as records of a uint32 row, a uint32 length and UTF-8 text. */
  sortedRecords(): Buffer {
    const parts: Buffer[] = [];
    for (const i of this._order()) {
      const text = Buffer.from(this._keys[i], 'utf8');
      const head = Buffer.allocUnsafe(8);
      head.writeUInt32LE(this._ids[i], 0);
      head.writeUInt32LE(text.length, 4);
      parts.push(head, text);
    }
    return Buffer.concat(parts);
  }

  clear(): void {
    this.size = 0;
    this._bytes = 0;
    this._keys = [];
    this._ids = [];
  }

  private _keys: string[] = [];
  private _ids: number[] = [];
  private _bytes = 0;
  private _sign: number;
}

/**
 * The order of the first `n` keys, ascending and stable: an LSD radix sort
 * over the 64 bits of each float, made to sort as unsigned integers (the
 * sign bit flipped, negative numbers' bits inverted), 16 bits a pass.
 */
function radixOrder(keys: Float64Array, n: number): Uint32Array {
  const words = new Uint32Array(keys.buffer, keys.byteOffset, n * 2);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1];
    let l = words[2 * i];
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    lo[i] = l;
    hi[i] = h;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Uint32Array(n);
  const counts = new Uint32Array(65_537);
  for (const [word, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16]
  ] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++)
      counts[((word[order[i]] >>> shift) & 0xffff) + 1]++;
    // All in one bucket: this pass changes nothing.
    if (counts.some(c => c === n)) continue;
    for (let d = 1; d < 65_537; d++) counts[d] += counts[d - 1];
    for (let i = 0; i < n; i++) {
      const o = order[i];
      spare[counts[(word[o] >>> shift) & 0xffff]++] = o;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

/** Reads a run's entries in order, a block at a time. */
class RunReader {
  constructor(handle: fs.FileHandle, byNumber: boolean) {
    this._handle = handle;
    this._byNumber = byNumber;
  }

  key: number | string = 0;
  id = 0;

  /** Moves to the next entry; false at the end. */
  async next(): Promise<boolean> {
    const head = await this._take(this._byNumber ? 12 : 8);
    if (!head) return false;
    this.id = head.readUInt32LE(0);
    if (this._byNumber) this.key = head.readDoubleLE(4);
    else this.key = (await this._take(head.readUInt32LE(4)))!.toString('utf8');
    return true;
  }

  private async _take(count: number): Promise<Buffer | null> {
    while (this._buffer.length - this._at < count) {
      const block = Buffer.allocUnsafe(Math.max(1 << 20, count));
      const { bytesRead } = await this._handle.read(
        block,
        0,
        block.length,
        null
      );
      if (bytesRead === 0) return count === 0 ? Buffer.alloc(0) : null;
      this._buffer = Buffer.concat([
        this._buffer.subarray(this._at),
        block.subarray(0, bytesRead)
      ]);
      this._at = 0;
    }
    const out = this._buffer.subarray(this._at, this._at + count);
    this._at += count;
    return out;
  }

  private _handle: fs.FileHandle;
  private _byNumber: boolean;
  private _buffer = Buffer.alloc(0);
  private _at = 0;
}

/** Merges sorted runs (texts `descending`: larger first; numbers are stored negated for that). */
async function mergeRuns(
  paths: string[],
  byNumber: boolean,
  descending: boolean,
  out: fs.FileHandle
): Promise<void> {
  const handles = await Promise.all(paths.map(p => fs.open(p, 'r')));
  try {
    const live: RunReader[] = [];
    for (const handle of handles) {
      const reader = new RunReader(handle, byNumber);
      if (await reader.next()) live.push(reader);
    }
    const block = new Uint32Array(BLOCK_ROWS);
    let filled = 0;
    while (live.length > 0) {
      // Few runs: a linear pick is as fast as a heap here.
      let best = 0;
      for (let i = 1; i < live.length; i++) {
        const a = live[i];
        const b = live[best];
        const first = descending ? a.key > b.key : a.key < b.key;
        if (first || (a.key === b.key && a.id < b.id)) best = i;
      }
      block[filled++] = live[best].id;
      if (filled === block.length) {
        await out.write(Buffer.from(block.buffer));
        filled = 0;
      }
      if (!(await live[best].next())) live.splice(best, 1);
    }
    if (filled) await out.write(Buffer.from(block.buffer, 0, filled * 4));
  } finally {
    await Promise.all(handles.map(h => h.close()));
  }
}
