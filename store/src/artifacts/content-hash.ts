import { createHash } from 'node:crypto';

/**
 * Passes `data` through (as chunks, never whole) while hashing it; after
 * the iteration `sha256()` and `size()` say what went through.
 */
export class HashingSource {
  constructor(data: Uint8Array | AsyncIterable<Uint8Array>) {
    this._data = data;
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      this._data instanceof Uint8Array ? [this._data] : this._data;
    for await (const chunk of source) {
      this._hash.update(chunk);
      this._size += chunk.byteLength;
      yield chunk;
    }
  }

  /** The hex SHA-256 of everything that went through (call once, after). */
  sha256(): string {
    return (this._digest ??= this._hash.digest('hex'));
  }

  size(): number {
    return this._size;
  }

  private _data: Uint8Array | AsyncIterable<Uint8Array>;
  private _hash = createHash('sha256');
  private _size = 0;
  private _digest: string | undefined;
}
