import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { JaxLabError } from '@jaxlab/schemas';
import type { Cell, ITableRows } from './table-builder.js';
import type { ITableContent } from './table-formats.js';

/**
 * The rows of a Parquet file, read with hyparquet by ranged reads of the
 * content: the footer first, then one row group at a time (so memory is
 * bounded by the largest row group, never the file). Top-level fields are
 * the columns; 64-bit integers become numbers, dates ISO text, nested
 * values JSON text.
 *
 * @throws JaxLabError `TABLE_UNSUPPORTED` when the footer is not Parquet's.
 */
export async function readParquet(content: ITableContent): Promise<ITableRows> {
  const file = asyncBufferOf(content);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new JaxLabError(
      'TABLE_UNSUPPORTED',
      `The file is not Parquet: ${(error as Error).message}`
    );
  }
  const columns = parquetSchema(metadata).children.map(c => c.element.name);
  async function* rows(): AsyncGenerator<Cell[][]> {
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const batch = await new Promise<unknown[][]>((resolve, reject) => {
        parquetRead({
          file,
          metadata,
          rowStart,
          rowEnd,
          onComplete: resolve
        }).catch(reject);
      });
      yield batch.map(row => row.map(cellOf));
      rowStart = rowEnd;
    }
  }
  return { columns, rows: rows() };
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  )
    return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? Number(v) : v
  );
}

/** hyparquet's view of the content: each slice one ranged read. */
function asyncBufferOf(content: ITableContent): AsyncBuffer {
  return {
    byteLength: content.sizeBytes,
    async slice(start: number, end = content.sizeBytes): Promise<ArrayBuffer> {
      if (end <= start) return new ArrayBuffer(0);
      const chunks: Buffer[] = [];
      for await (const chunk of await content.open({ start, end: end - 1 }))
        chunks.push(chunk as Buffer);
      const whole = Buffer.concat(chunks);
      return whole.buffer.slice(
        whole.byteOffset,
        whole.byteOffset + whole.byteLength
      ) as ArrayBuffer;
    }
  };
}
