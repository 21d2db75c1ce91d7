import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { CR, LF } from './delimited-records.js';

/** Bytes decoded into one text at most (but for a longer record): below V8's large-object size, so that it dies young. */
const PIECE_BYTES = 64 * 1024;

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
export async function* scanStream<B>(
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
