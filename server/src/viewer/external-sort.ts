import { promises as fs } from 'node:fs';
import { ColumnReader } from './column-files.js';

/** Entries sorted in memory at once; more make several runs, merged. */
const RUN_ENTRIES = 1_000_000;
/** Text bytes of one run at most. */
const RUN_TEXT_BYTES = 32 * 1024 * 1024;

type Key = number | string;

/**
 * Writes to `outPath` the row numbers of column `column` ordered by its
 * value, ascending (equal values by row), rows without a value last, as
 * uint32; resolves with how many rows have a value. An external merge
 * sort: the column is read in blocks into runs of at most
 * {@link RUN_ENTRIES} entries (or {@link RUN_TEXT_BYTES} of text), each
 * sorted and written to a temporary file, then merged — memory stays one
 * run whatever the table's size.
 */
export async function sortColumn(
  dir: string,
  column: number,
  rows: number,
  byNumber: boolean,
  outPath: string
): Promise<number> {
  const reader = new ColumnReader(dir, column);
  const missing: number[] = [];
  const runs: string[] = [];
  let keys: Key[] = [];
  let ids: number[] = [];
  let textBytes = 0;
  const flushRun = async (): Promise<void> => {
    if (ids.length === 0) return;
    const order = sortedOrder(keys, ids);
    const path = `${outPath}.run${runs.length}`;
    await fs.writeFile(
      path,
      encodeRun(
        Array.from(order, i => keys[i]),
        Array.from(order, i => ids[i]),
        byNumber
      )
    );
    runs.push(path);
    keys = [];
    ids = [];
    textBytes = 0;
  };
  for (let start = 0; start < rows; start += 65_536) {
    const end = Math.min(rows, start + 65_536);
    if (byNumber) {
      const numbers = await reader.numbers(start, end);
      for (let i = 0; i < numbers.length; i++) {
        if (Number.isNaN(numbers[i])) missing.push(start + i);
        else {
          keys.push(numbers[i]);
          ids.push(start + i);
        }
      }
    } else {
      const texts = await reader.texts(start, end);
      for (let i = 0; i < texts.length; i++) {
        if (texts[i] === '') missing.push(start + i);
        else {
          keys.push(texts[i]);
          ids.push(start + i);
          textBytes += texts[i].length;
        }
      }
    }
    if (ids.length >= RUN_ENTRIES || textBytes >= RUN_TEXT_BYTES)
      await flushRun();
  }
  const valued = rows - missing.length;
  const out = await fs.open(outPath, 'w');
  try {
    if (runs.length === 0) {
      // One run: no temporary file.
      const order = sortedOrder(keys, ids);
      await out.write(Buffer.from(Uint32Array.from(order, i => ids[i]).buffer));
    } else {
      await flushRun();
      await mergeRuns(runs, byNumber, out);
    }
    await out.write(Buffer.from(Uint32Array.from(missing).buffer));
  } finally {
    await out.close();
    await Promise.all(runs.map(path => fs.rm(path, { force: true })));
  }
  return valued;
}

function sortedOrder(keys: Key[], ids: number[]): Uint32Array {
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (typeof keys[0] === 'number') {
    const numbers = Float64Array.from(keys as number[]);
    return order.sort((a, b) => numbers[a] - numbers[b] || ids[a] - ids[b]);
  }
  return order.sort((a, b) =>
    keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : ids[a] - ids[b]
  );
}

/** A run: per entry a uint32 row, then a float64 key or a uint32 length and UTF-8 text. */
function encodeRun(keys: Key[], ids: number[], byNumber: boolean): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (byNumber) {
      const b = Buffer.allocUnsafe(12);
      b.writeUInt32LE(ids[i], 0);
      b.writeDoubleLE(keys[i] as number, 4);
      parts.push(b);
    } else {
      const text = Buffer.from(keys[i] as string, 'utf8');
      const b = Buffer.allocUnsafe(8);
      b.writeUInt32LE(ids[i], 0);
      b.writeUInt32LE(text.length, 4);
      parts.push(b, text);
    }
  }
  return Buffer.concat(parts);
}

/** Reads a run's entries in order, a block at a time. */
class RunReader {
  constructor(
    private _handle: fs.FileHandle,
    private _byNumber: boolean
  ) {}

  key: Key = 0;
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

  private _buffer = Buffer.alloc(0);
  private _at = 0;
}

async function mergeRuns(
  paths: string[],
  byNumber: boolean,
  out: fs.FileHandle
): Promise<void> {
  const handles = await Promise.all(paths.map(p => fs.open(p, 'r')));
  try {
    const live: RunReader[] = [];
    for (const handle of handles) {
      const reader = new RunReader(handle, byNumber);
      if (await reader.next()) live.push(reader);
    }
    const block: number[] = [];
    while (live.length > 0) {
      // Few runs: a linear pick is as fast as a heap here.
      let best = 0;
      for (let i = 1; i < live.length; i++) {
        const a = live[i];
        const b = live[best];
        if (a.key < b.key || (a.key === b.key && a.id < b.id)) best = i;
      }
      block.push(live[best].id);
      if (block.length === 65_536) {
        await out.write(Buffer.from(Uint32Array.from(block).buffer));
        block.length = 0;
      }
      if (!(await live[best].next())) live.splice(best, 1);
    }
    if (block.length)
      await out.write(Buffer.from(Uint32Array.from(block).buffer));
  } finally {
    await Promise.all(handles.map(h => h.close()));
  }
}
