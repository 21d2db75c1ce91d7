import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseRecord, scanColumn, scanDelimited } from './delimited-scanner.js';

/** `text`'s bytes as a stream of `chunkBytes`-byte chunks. */
function chunked(text: string, chunkBytes: number): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes)
    chunks.push(bytes.subarray(i, i + chunkBytes));
  return Readable.from(chunks);
}

async function scanned(text: string, chunkBytes: number): Promise<string[][]> {
  const records: string[][] = [];
  for await (const batch of scanDelimited(chunked(text, chunkBytes), ','))
    records.push(...batch);
  return records;
}

/** What csv-parse reads with the viewer's options. */
const parsed = (text: string): string[][] =>
  parse(text, {
    delimiter: ',',
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true
  });

/** Each record's field of `column` by scanColumn(), and its record as parseRecord() reads its place. */
async function columnScanned(
  text: string,
  chunkBytes: number,
  column: number
): Promise<[string | undefined, string[]][]> {
  const seen: [string | undefined, string[]][] = [];
  await scanColumn(
    chunked(text, chunkBytes),
    ',',
    column,
    (_record, source, from, to, whole, start, end) =>
      seen.push([
        from === -1 ? undefined : source.slice(from, to),
        parseRecord(whole.slice(start, end), ',')
      ])
  );
  return seen;
}

/** Well-formed CSV of random records: quoted where needed, any line end. */
function randomCsv(random: () => number): string {
  const pick = <T>(a: T[]): T => a[Math.floor(random() * a.length)];
  const pieces = ['a', '1', ',', '"', '\n', '\r\n', ' ', 'é', '\t', '日'];
  const eol = pick(['\n', '\r\n', '\r']);
  let text = random() < 0.1 ? '\uFEFF' : '';
  const records = 1 + Math.floor(random() * 5);
  for (let r = 0; r < records; r++) {
    const fields: string[] = [];
    for (let f = 0, n = 1 + Math.floor(random() * 4); f < n; f++) {
      let v = '';
      for (let i = 0, l = Math.floor(random() * 5); i < l; i++)
        v += pick(pieces);
      fields.push(
        /[",\r\n]/.test(v) || random() < 0.2
          ? `"${v.replaceAll('"', '""')}"`
          : v
      );
    }
    text += fields.join(',') + (r < records - 1 || random() < 0.5 ? eol : '');
    if (random() < 0.1) text += eol;
  }
  return text;
}

describe('scanDelimited()', () => {
  it("should read the records csv-parse reads (the viewer's options), however the bytes are cut into chunks", async () => {
    let seed = 7;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 1500; k++) {
      const text = randomCsv(random);
      const expected = parsed(text);
      for (const chunkBytes of [1, 3, 65536])
        expect(await scanned(text, chunkBytes), JSON.stringify(text)).toEqual(
          expected
        );
    }
  });

  it("should hand scanColumn() each record's field and place as scanDelimited() reads the record", async () => {
    let seed = 3;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 1500; k++) {
      const text = randomCsv(random);
      const expected = await scanned(text, 65536);
      const chunkBytes = 1 + Math.floor(random() * 8);
      for (const column of [0, 2]) {
        const seen = await columnScanned(text, chunkBytes, column);
        expect(seen, JSON.stringify(text)).toEqual(
          expected.map(record => [record[column], record])
        );
      }
    }
  });

  it('should read long tables the same, their text decoded in pieces: records across pieces and chunks, one longer than a piece', async () => {
    let seed = 5;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const eol of ['\n', '\r\n', '\r']) {
      const lines: string[] = ['id,value,name'];
      for (let r = 0; r < 6000; r++) {
        const kind = random();
        lines.push(
          kind < 0.8
            ? `${r},${Math.round(random() * 1e4) / 100},n${r % 7}`
            : kind < 0.9
              ? `"${r}\n""x"",y",-0,"日${r}\r\nz"`
              : kind < 0.95
                ? `${r},é${r},`
                : `${r}`
        );
        if (r === 3000) lines.push(`"${'long\n'.repeat(20_000)}",1,x`);
        if (r === 4000) lines.push(`${'w'.repeat(100_000)},2,y`);
      }
      const text = lines.join(eol) + eol;
      const expected = parsed(text);
      for (const chunkBytes of [1000, 65_543, 1 << 20]) {
        expect(await scanned(text, chunkBytes)).toEqual(expected);
        const seen = await columnScanned(text, chunkBytes, 1);
        expect(seen).toEqual(expected.map(record => [record[1], record]));
      }
    }
  });

  it('should keep a quote inside an unquoted field and refuse a quote never closed', async () => {
    expect(await scanned('a,b\nx"y,z\n', 2)).toEqual([
      ['a', 'b'],
      ['x"y', 'z']
    ]);
    await expect(scanned('a,b\n"open,1\n', 4)).rejects.toMatchObject({
      code: 'TABLE_UNSUPPORTED'
    });
  });
});
