import type { Readable } from 'node:stream';
import { scanRecords } from './delimited-records.js';
import { scanStream } from './delimited-stream.js';
import { parsePlainDecimal } from './table-builder.js';

/** Records of the first batch: few, so that the first page comes soon. */
export const FIRST_BATCH_RECORDS = 1024;
/** Records of the next batches: few enough that a pass or page asked meanwhile waits little for the index build to pause. */
const BATCH_RECORDS = 2048;

/**
 * The records of a CSV or TSV stream, in batches (a small first one), with the semantics the
 * viewer had from csv-parse (RFC 4180 quoting with `""` inside quotes and
 * newlines in quoted fields, a BOM dropped, ragged rows kept, a quote
 * inside an unquoted field kept as text, empty lines skipped, LF, CRLF or
 * CR line ends). Written by hand because it is the index pass of every
 * table the viewer opens: scanning decoded text with `charCodeAt` and
 * slicing fields is about five times faster than csv-parse's general
 * state machine on a million rows. A record cut by a chunk's end is
 * scanned again with the next chunk.
 *
 * @throws JaxLabError `TABLE_UNSUPPORTED` when a quoted field is not closed
 *   by the end of the file.
 */
export function scanDelimited(
  stream: Readable,
  delimiter: ',' | '\t'
): AsyncGenerator<string[][]> {
  const sep = delimiter.charCodeAt(0);
  let limit = FIRST_BATCH_RECORDS;
  return scanStream(stream, (text, from, atEnd) => {
    const records: string[][] = [];
    const to = scanRecords(text, from, sep, atEnd, records, limit);
    if (records.length) limit = BATCH_RECORDS;
    return { to, batch: records.length ? records : undefined };
  });
}

/**
 * Called with a record's number (0: the first record), its field,
 * `source.slice(start, end)` (`start` -1: the record has none), and where
 * the record lies in `text`.
 */
export type OnField = (
  record: number,
  source: string,
  start: number,
  end: number,
  text: string,
  recordStart: number,
  recordEnd: number
) => void;

/**
 * Plain decimals ({@link parsePlainDecimal}) that {@link scanColumn}
 * takes itself, without a call per record: counted, and handed over only
 * when they pass `bar` — what a pass keeping the best rows by a number
 * column does on most rows.
 */
export interface IPlainNumbers {
  /** Whether they are taken now (else every field goes to `onField`). */
  taking: boolean;
  /** Counts each one taken. */
  stats: { addNumber(value: number): void };
  /** One with `sign * value <= bar` goes to `onNumber`. */
  sign: number;
  bar: number;
  onNumber(
    value: number,
    record: number,
    text: string,
    recordStart: number,
    recordEnd: number
  ): void;
}

/**
 * Hands `onField` the field of column `column` of each record of
 * {@link scanDelimited} (the first record's too), with where the record
 * lies in the decoded text, so that its other fields can be read if
 * wanted ({@link parseRecord}); while `numbers.taking`, a field that is a
 * plain decimal goes to `numbers` instead. For a pass over one column: a
 * line with no quote and no CR but its line end's is a record, cut at its
 * line end by `indexOf`, and only the column's field is read; a record
 * from any other line on is scanned as {@link scanDelimited} does.
 * Answers the number of records.
 */
export async function scanColumn(
  stream: Readable,
  delimiter: ',' | '\t',
  column: number,
  onField: OnField,
  numbers: IPlainNumbers = {
    taking: false,
    stats: { addNumber: () => undefined },
    sign: 1,
    bar: -Infinity,
    onNumber: () => undefined
  }
): Promise<number> {
  const picked: boolean[] = [];
  picked[column] = true;
  const counter = { records: 0 };
  const scanned = scanStream(stream, (text, from, atEnd) => ({
    to: scanColumnText(
      text,
      from,
      atEnd,
      delimiter,
      column,
      picked,
      counter,
      onField,
      numbers
    ),
    batch: undefined
  }));
  for await (const _ of scanned);
  return counter.records;
}

/** {@link scanColumn} on one text: where the first record not scanned starts. */
function scanColumnText(
  text: string,
  from: number,
  atEnd: boolean,
  delimiter: string,
  column: number,
  picked: readonly boolean[],
  counter: { records: number },
  onField: OnField,
  numbers: IPlainNumbers
): number {
  const n = text.length;
  const sepCode = delimiter.charCodeAt(0);
  // The next quote and CR from `pos` (n: none).
  const next = (char: string, pos: number): number => {
    const at = text.indexOf(char, pos);
    return at === -1 ? n : at;
  };
  let quote = next('"', from);
  let cr = next('\r', from);
  let record = counter.records;
  let pos = from;
  while (pos < n) {
    const lf = next('\n', pos);
    if (quote > lf && (cr > lf || (cr === lf - 1 && lf < n))) {
      // A plain line: [pos, end), then its line end.
      if (lf === n && !atEnd) break;
      const end = cr === lf - 1 ? cr : lf;
      if (cr < lf) cr = next('\r', lf);
      if (end > pos) {
        let start = pos;
        for (let f = 0; f < column && start !== -1; f++) {
          const sep = text.indexOf(delimiter, start);
          start = sep === -1 || sep >= end ? -1 : sep + 1;
        }
        if (numbers.taking && start !== -1) {
          const value = parsePlainDecimal(text, start, end, sepCode);
          if (value === value) {
            numbers.stats.addNumber(value);
            if (numbers.sign * value <= numbers.bar)
              numbers.onNumber(value, record, text, pos, end);
            record++;
            pos = lf + 1;
            continue;
          }
        }
        let stop = start;
        if (start !== -1) {
          stop = text.indexOf(delimiter, start);
          if (stop === -1 || stop > end) stop = end;
        }
        onField(record++, text, start, stop, text, pos, end);
      }
      pos = lf + 1;
      continue;
    }
    const records: string[][] = [];
    const to = scanRecords(text, pos, sepCode, atEnd, records, 1, picked);
    if (records.length === 0) {
      pos = to;
      break;
    }
    const field = records[0][column] ?? '';
    onField(
      record++,
      field,
      column < records[0].length ? 0 : -1,
      field.length,
      text,
      pos,
      to
    );
    pos = to;
    if (quote < pos) quote = next('"', pos);
    if (cr < pos) cr = next('\r', pos);
  }
  counter.records = record;
  return Math.min(pos, n);
}

/** The fields of one record's text (as {@link scanColumn} placed it). */
export function parseRecord(text: string, delimiter: ',' | '\t'): string[] {
  const records: string[][] = [];
  scanRecords(text, 0, delimiter.charCodeAt(0), true, records, 1);
  return records[0] ?? [];
}
