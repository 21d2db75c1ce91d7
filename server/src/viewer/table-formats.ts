import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import type { TablePage } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import { scanDelimited } from './delimited-scanner.js';
import { readNpy } from './npy-reader.js';
import type { Cell, ITableRows } from './table-builder.js';

/** A format the data viewer opens. */
export type TableFormat = TablePage['format'];
/** A format of a file (every one but the step series). */
export type FileTableFormat = Exclude<TableFormat, 'series'>;

/** Where a table's bytes come from: the artifact's content, whole or a range. */
export interface ITableContent {
  sizeBytes: number;
  open(range?: { start: number; end: number }): Promise<Readable>;
}

/** The viewer's format of an artifact named `name`, or null. */
export function tableFormatOf(name: string): FileTableFormat | null {
  const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  switch (ext) {
    case 'csv':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'npy':
      return 'npy';
    case 'npz':
      return 'npz';
    case 'parquet':
      return 'parquet';
    default:
      return null;
  }
}

/** The column names of a CSV or TSV header: an empty or repeated name becomes `column N`. */
export function columnNames(header: string[]): string[] {
  const seen = new Set<string>();
  return header.map((raw, i) => {
    let name = raw.trim() || `column ${i + 1}`;
    if (seen.has(name)) name = `${name} (${i + 1})`;
    seen.add(name);
    return name;
  });
}

/**
 * The rows of a CSV or TSV file ({@link scanDelimited}); the first record
 * names the columns (an empty or repeated name becomes `column N`).
 */
export function readDelimited(
  stream: Readable,
  delimiter: ',' | '\t'
): ITableRows {
  const columns: string[] = [];
  async function* rows(): AsyncGenerator<Cell[][]> {
    for await (const batch of scanDelimited(stream, delimiter)) {
      if (columns.length === 0) {
        columns.push(...columnNames(batch[0]));
        batch.shift();
        if (!batch.length) continue;
      }
      yield batch;
    }
  }
  return { columns, rows: rows() };
}

/**
 * The rows of a JSON lines file: each line one JSON value; an object's
 * keys are columns (in the order they first appear), anything else is
 * one column `value`; nested values are shown as JSON text.
 *
 * @throws JaxLabError `TABLE_UNSUPPORTED` naming the first line that is
 *   not JSON.
 */
export function readJsonLines(stream: Readable): ITableRows {
  const columns: string[] = [];
  const indexOf = new Map<string, number>();
  const column = (name: string): number => {
    let index = indexOf.get(name);
    if (index === undefined) {
      index = columns.length;
      columns.push(name);
      indexOf.set(name, index);
    }
    return index;
  };
  async function* rows(): AsyncGenerator<Cell[][]> {
    let batch: Cell[][] = [];
    let lineNumber = 0;
    for await (const line of createInterface({
      input: stream,
      crlfDelay: Infinity
    })) {
      lineNumber++;
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new JaxLabError(
          'TABLE_UNSUPPORTED',
          `Line ${lineNumber} of the JSON lines file is not JSON.`
        );
      }
      const cells: Cell[] = [];
      if (
        value !== null &&
        typeof value === 'object' &&
        !Array.isArray(value)
      ) {
        for (const [key, v] of Object.entries(value))
          cells[column(key)] = cellOf(v);
      } else {
        cells[column('value')] = cellOf(value);
      }
      batch.push(cells);
      if (batch.length === 8192) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { columns, rows: rows() };
}

function cellOf(value: unknown): Cell {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return value;
  return JSON.stringify(value);
}

/**
 * The arrays (`.npy` members) of an `.npz` file, read with yauzl from the
 * zip's central directory by ranged reads of the content (the file is
 * never read whole).
 */
export async function npzMembers(
  content: ITableContent
): Promise<{ zip: ZipFile; entries: Map<string, Entry> }> {
  const zip = await openZip(content);
  const entries = new Map<string, Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: Entry) => {
      if (entry.fileName.endsWith('.npy'))
        entries.set(entry.fileName.slice(0, -4), entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve());
    zip.once('error', reject);
    zip.readEntry();
  });
  return { zip, entries };
}

/** One array of an `.npz` file as table rows. */
export async function readNpzMember(
  zip: ZipFile,
  entry: Entry
): Promise<ITableRows> {
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (error, s) =>
      error ? reject(error) : resolve(s!)
    )
  );
  return readNpy(stream);
}

function openZip(content: ITableContent): Promise<ZipFile> {
  const reader = new (class extends yauzl.RandomAccessReader {
    _readStreamForRange(start: number, end: number): Readable {
      const out = new PassThrough();
      if (end <= start) {
        out.end();
        return out;
      }
      content.open({ start, end: end - 1 }).then(
        s => s.pipe(out),
        error => out.destroy(error)
      );
      return out;
    }
  })();
  return new Promise((resolve, reject) =>
    yauzl.fromRandomAccessReader(
      reader,
      content.sizeBytes,
      { lazyEntries: true, autoClose: false },
      (error, zip) =>
        error
          ? reject(
              new JaxLabError(
                'TABLE_UNSUPPORTED',
                `The .npz file is not a zip archive: ${error.message}`
              )
            )
          : resolve(zip!)
    )
  );
}

export { readNpy };
