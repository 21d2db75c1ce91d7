import { JaxLabError } from '@jaxlab/schemas';

const QUOTE = 34;
/** A line feed's character (and byte) code. */
export const LF = 10;
/** A carriage return's character (and byte) code. */
export const CR = 13;

/**
 * Scans whole records of `text` from `from` into `out`, at most `limit`
 * (only the `picked` fields, if given, the others `''`; each record's
 * place into `spans`, if given); answers where the first record not
 * scanned starts (a record not wholly in `text` is not scanned unless
 * `atEnd`, when the text's end ends it).
 */
export function scanRecords(
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
