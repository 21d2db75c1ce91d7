import { JaxLabError } from '@jaxlab/schemas';
import type { Cell, ITableRows } from './table-builder.js';

/** The header of a `.npy` file (NumPy's format, version 1–3). */
interface INpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/**
 * Streams an `.npy` array of up to two dimensions as table rows: a 1-D
 * array is one column `value`, a 2-D array of shape (n, m) n rows of
 * columns `0`…`m-1`. Numbers (ints, unsigned, float16/32/64), booleans and
 * fixed-width strings (`U`, `S`); memory stays one row (plus a read
 * block) whatever the array's size. The header is NumPy's documented
 * format (magic, version, a Python dict literal) — small enough to read
 * here rather than pull in a reader that loads the whole array.
 *
 * @throws JaxLabError `TABLE_UNSUPPORTED` for other dtypes, Fortran order
 *   or more than two dimensions.
 */
export function readNpy(source: AsyncIterable<Uint8Array>): ITableRows {
  const columns: string[] = [];
  async function* rows(): AsyncGenerator<Cell[][]> {
    const bytes = new ByteQueue(source);
    const magic = await bytes.take(8);
    if (magic.toString('latin1', 0, 6) !== '\x93NUMPY') {
      throw unsupported('it is not an .npy file (no \\x93NUMPY magic)');
    }
    const major = magic[6];
    const lengthBytes = await bytes.take(major === 1 ? 2 : 4);
    const headerLength =
      major === 1 ? lengthBytes.readUInt16LE(0) : lengthBytes.readUInt32LE(0);
    const header = parseHeader(
      (await bytes.take(headerLength)).toString(major >= 3 ? 'utf8' : 'latin1')
    );
    if (header.shape.length > 2) {
      throw unsupported(
        `it has ${header.shape.length} dimensions; the viewer shows up to 2`
      );
    }
    if (header.fortranOrder && header.shape.length === 2) {
      throw unsupported(
        'it is in Fortran order; save it with np.ascontiguousarray(a)'
      );
    }
    const decode = decoderOf(header.descr);
    const rowCount = header.shape.length === 0 ? 1 : header.shape[0];
    const width = header.shape.length === 2 ? header.shape[1] : 1;
    if (header.shape.length === 2) {
      for (let j = 0; j < width; j++) columns.push(String(j));
    } else {
      columns.push('value');
    }
    const rowBytes = decode.size * width;
    const perBatch = Math.max(1, Math.floor((1 << 20) / Math.max(1, rowBytes)));
    for (let r = 0; r < rowCount; r += perBatch) {
      const count = Math.min(perBatch, rowCount - r);
      const block = await bytes.take(rowBytes * count);
      const batch: Cell[][] = [];
      for (let k = 0; k < count; k++) {
        const cells: Cell[] = new Array(width);
        for (let j = 0; j < width; j++)
          cells[j] = decode.read(block, k * rowBytes + j * decode.size);
        batch.push(cells);
      }
      yield batch;
    }
  }
  return { columns, rows: rows() };
}

function parseHeader(text: string): INpyHeader {
  const descr = /'descr':\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (!descr || !fortran || shape === undefined) {
    throw unsupported('its header is not a NumPy .npy header');
  }
  return {
    descr,
    fortranOrder: fortran === 'True',
    shape: shape
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)
      .map(Number)
  };
}

interface IDecoder {
  size: number;
  read(block: Buffer, at: number): Cell;
}

function decoderOf(descr: string): IDecoder {
  const m = /^([<>|=])([biufUS])(\d+)$/.exec(descr);
  if (!m)
    throw unsupported(
      `its dtype ${descr} is not shown (numbers, booleans and strings are)`
    );
  const little = m[1] !== '>';
  const kind = m[2];
  const size = Number(m[3]);
  const int = (signed: boolean): IDecoder['read'] => {
    if (size === 1)
      return (b, at) => (signed ? b.readInt8(at) : b.readUInt8(at));
    if (size === 2)
      return (b, at) =>
        signed
          ? little
            ? b.readInt16LE(at)
            : b.readInt16BE(at)
          : little
            ? b.readUInt16LE(at)
            : b.readUInt16BE(at);
    if (size === 4)
      return (b, at) =>
        signed
          ? little
            ? b.readInt32LE(at)
            : b.readInt32BE(at)
          : little
            ? b.readUInt32LE(at)
            : b.readUInt32BE(at);
    return (b, at) =>
      Number(
        signed
          ? little
            ? b.readBigInt64LE(at)
            : b.readBigInt64BE(at)
          : little
            ? b.readBigUInt64LE(at)
            : b.readBigUInt64BE(at)
      );
  };
  switch (kind) {
    case 'b':
      return { size, read: (b, at) => b[at] !== 0 };
    case 'i':
    case 'u':
      if (![1, 2, 4, 8].includes(size)) break;
      return { size, read: int(kind === 'i') };
    case 'f':
      if (size === 8)
        return {
          size,
          read: (b, at) => (little ? b.readDoubleLE(at) : b.readDoubleBE(at))
        };
      if (size === 4)
        return {
          size,
          read: (b, at) => (little ? b.readFloatLE(at) : b.readFloatBE(at))
        };
      if (size === 2)
        return {
          size,
          read: (b, at) =>
            float16(little ? b.readUInt16LE(at) : b.readUInt16BE(at))
        };
      break;
    case 'U':
      return {
        size: size * 4,
        read: (b, at) => {
          let text = '';
          for (let i = 0; i < size; i++) {
            const code = little
              ? b.readUInt32LE(at + i * 4)
              : b.readUInt32BE(at + i * 4);
            if (code === 0) break;
            text += String.fromCodePoint(code);
          }
          return text;
        }
      };
    case 'S':
      return {
        size,
        read: (b, at) => b.toString('latin1', at, at + size).replace(/\0+$/, '')
      };
  }
  throw unsupported(
    `its dtype ${descr} is not shown (numbers, booleans and strings are)`
  );
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function unsupported(why: string): JaxLabError {
  return new JaxLabError(
    'TABLE_UNSUPPORTED',
    `The array cannot be shown: ${why}.`
  );
}

/** Takes exact byte counts from a stream of chunks. */
class ByteQueue {
  constructor(source: AsyncIterable<Uint8Array>) {
    this._iterator = source[Symbol.asyncIterator]();
  }

  async take(count: number): Promise<Buffer> {
    while (this._length < count) {
      const next = await this._iterator.next();
      if (next.done) throw unsupported('it ends before its shape says');
      const chunk = Buffer.from(
        next.value.buffer,
        next.value.byteOffset,
        next.value.byteLength
      );
      this._chunks.push(chunk);
      this._length += chunk.length;
    }
    const all =
      this._chunks.length === 1 ? this._chunks[0] : Buffer.concat(this._chunks);
    this._chunks = all.length > count ? [all.subarray(count)] : [];
    this._length = all.length - count;
    return all.subarray(0, count);
  }

  private _iterator: AsyncIterator<Uint8Array>;
  private _chunks: Buffer[] = [];
  private _length = 0;
}
