import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { JaxLabError } from '@jaxlab/schemas';
import { parsePlainDecimal } from './table-builder.js';

/** Records of the first batch: few, so that the first page comes soon. */
export const FIRST_BATCH_RECORDS = 1024;
/** Records of the next batches: few enough that a pass or page asked meanwhile waits little for the index build to pause. */
const BATCH_RECORDS = 2048;
const QUOTE = 34;
const LF = 10;
const CR = 13;
/** Bytes decoded into one text at most (but for a longer record): below V8's large-object size, so that it dies young. */
const PIECE_BYTES = 64 * 1024;

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
    const to = scan(text, from, sep, atEnd, records, limit);
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
    const to = scan(text, pos, sepCode, atEnd, records, 1, picked);
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
  scan(text, 0, delimiter.charCodeAt(0), true, records, 1);
  return records[0] ?? [];
}

/**
 * Decodes `stream` (a BOM dropped) and hands the text to `scanText` from
 * where it stopped until it has no more batches. Only bytes up to a
 * chunk's last line end are decoded (a line end is a character of its
 * own, so they decode alone): each text is one flat string, never a
 * concatenation of a carry and a chunk (reading characters of such a
 * string costs several times more). A record cut by that line end (a
 * quoted field with a line end in it) is decoded and scanned again with
 * the next chunk; ASCII (most tables) is its own Latin-1: copied, not
 * decoded.
 */
async function* scanStream<B>(
  stream: Readable,
  scanText: (
    text: string,
    from: number,
    atEnd: boolean
  ) => { to: number; batch: B | undefined }
): AsyncGenerator<B> {
  // Bytes not scanned yet (they start a record), as chunks.
  let held: Buffer[] = [];
  let first = true;
  /** Scans bytes up to `cut` (a line end, or the end): answers where it stopped. */
  const decode = function* (
    bytes: Buffer,
    cut: number,
    atEnd: boolean
  ): Generator<B, number> {
    let used = 0;
    if (first) {
      first = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) used = 3;
    }
    let whole = false;
    while (used < cut) {
      // A piece of whole lines, decoded at once.
      let end = cut;
      if (!whole && cut - used > PIECE_BYTES) {
        const lf = bytes.lastIndexOf(LF, used + PIECE_BYTES);
        const after = lf >= used ? lf : bytes.indexOf(LF, used + PIECE_BYTES);
        if (after !== -1 && after < cut) end = after + 1;
      }
      const ascii = isAscii(bytes.subarray(used, end));
      const text = bytes.toString(ascii ? 'latin1' : 'utf8', used, end);
      let from = 0;
      for (;;) {
        const { to, batch } = scanText(text, from, atEnd && end === cut);
        from = to;
        if (batch === undefined) break;
        yield batch;
      }
      const next = ascii ? used + from : byteOf(text, from, bytes, used, end);
      if (next < end) {
        if (end === cut) return next;
        // A record goes on past the piece: from its start, with more bytes.
        whole = next === used;
      }
      used = next;
    }
    return used;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const last = Math.max(chunk.lastIndexOf(LF), chunk.lastIndexOf(CR));
    if (last === -1) {
      held.push(chunk);
      continue;
    }
    let bytes = chunk;
    if (held.length > 0) {
      // The held bytes with the chunk's first line, alone: most often the
      // record they start ends there, and the chunk need not be copied.
      let line = chunk.indexOf(LF);
      if (line === -1) line = last;
      const head = Buffer.concat([...held, chunk.subarray(0, line + 1)]);
      const used = yield* decode(head, head.length, false);
      bytes =
        used === head.length
          ? chunk.subarray(line + 1)
          : Buffer.concat([head.subarray(used), chunk.subarray(line + 1)]);
    }
    const used = yield* decode(
      bytes,
      bytes.length - (chunk.length - last - 1),
      false
    );
    held = used < bytes.length ? [bytes.subarray(used)] : [];
  }
  const rest = Buffer.concat(held);
  if (rest.length > 0) yield* decode(rest, rest.length, true);
}

/**
 * Where text index `to` is in `bytes` (`text` decoded from bytes `start`
 * to `cut`): 0 < `to` < text's length follows a line end (a record starts
 * after one), and line ends are one byte and one character each, however
 * the rest decodes (invalid bytes included).
 */
function byteOf(
  text: string,
  to: number,
  bytes: Buffer,
  start: number,
  cut: number
): number {
  if (to <= 0) return start;
  if (to >= text.length) return cut;
  let ends = 0;
  for (let i = to - 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) ends++;
  }
  let b = cut;
  while (ends > 0) {
    b--;
    if (bytes[b] === LF || bytes[b] === CR) ends--;
  }
  return b + 1;
}

/**
 * Scans whole records of `text` from `from` into `out`, at most `limit`
 * (only the `picked` fields, if given, the others `''`; each record's
 * place into `spans`, if given); answers where the first record not
 * scanned starts (a record not wholly in `text` is not scanned unless
 * `atEnd`, when the text's end ends it).
 */
function scan(
  text: string,
  from: number,
  sep: number,
  atEnd: boolean,
  out: string[][],
  limit: number,
  picked?: readonly boolean[],
  spans?: { starts: number[]; ends: number[] }
): number {
  const n = text.length;
  let pos = from;
  while (pos < n && out.length < limit) {
    const start = pos;
    const c0 = text.charCodeAt(pos);
    if (c0 === LF || c0 === CR) {
      // An empty line.
      pos += c0 === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1;
      if (c0 === CR && pos === n && !atEnd) return start;
      continue;
    }
    const record: string[] = [];
    let complete = false;
    for (;;) {
      // One field, from pos.
      let field = '';
      const keep = picked === undefined || picked[record.length] === true;
      if (text.charCodeAt(pos) === QUOTE) {
        let value = '';
        let from = pos + 1;
        let i = from;
        let closed = false;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c !== QUOTE) {
            i++;
            continue;
          }
          if (text.charCodeAt(i + 1) === QUOTE) {
            if (keep) value += text.slice(from, i + 1);
            i += 2;
            from = i;
            continue;
          }
          if (i + 1 === n && !atEnd) break; // `"` or `""`: the next chunk says.
          if (keep) value += text.slice(from, i);
          i++;
          closed = true;
          break;
        }
        if (!closed) {
          if (!atEnd) return start;
          throw new JaxLabError(
            'TABLE_UNSUPPORTED',
            'A quoted field is not closed by the end of the file.'
          );
        }
        // Anything after the closing quote up to the separator is kept as text.
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === sep || c === LF || c === CR) break;
          j++;
        }
        if (keep) field = j > i ? value + text.slice(i, j) : value;
        pos = j;
      } else {
        let j = pos;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === sep || c === LF || c === CR) break;
          j++;
        }
        if (keep) field = text.slice(pos, j);
        pos = j;
      }
      record.push(field);
      if (pos >= n) {
        if (!atEnd) return start;
        complete = true;
        break;
      }
      const c = text.charCodeAt(pos);
      if (c === sep) {
        pos++;
        if (pos >= n && !atEnd) return start;
        if (pos >= n) {
          record.push('');
          complete = true;
          break;
        }
        continue;
      }
      // A line end: CRLF needs its LF seen before the record counts.
      if (c === CR) {
        if (pos + 1 >= n && !atEnd) return start;
        pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
      } else {
        pos++;
      }
      complete = true;
      break;
    }
    if (complete) {
      out.push(record);
      if (spans) {
        spans.starts.push(start);
        spans.ends.push(pos);
      }
    }
  }
  return pos;
}
