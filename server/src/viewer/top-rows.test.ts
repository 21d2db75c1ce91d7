import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTable } from './table-builder.js';
import type { ITableState } from './table-builder.js';
import { readDelimited } from './table-formats.js';
import { TableViewer } from './table-viewer.js';
import { buildView, readView } from './table-view.js';
import { topRows } from './top-rows.js';

const dir = mkdtempSync(path.join(tmpdir(), 'jl-top-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const chunked = (text: string, bytes: number): Readable => {
  const all = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += bytes)
    chunks.push(all.subarray(i, i + bytes));
  return Readable.from(chunks);
};

/** The complete index's order of the whole table (the viewer's full path). */
async function fullOrder(
  csv: string,
  column: number,
  descending: boolean,
  name: string
): Promise<number[]> {
  const tableDir = path.join(dir, name);
  const state: ITableState = { columns: [], rowsIndexed: 0, complete: false };
  const { mkdir } = await import('node:fs/promises');
  await mkdir(tableDir, { recursive: true });
  await buildTable(tableDir, readDelimited(chunked(csv, 1 << 16), ','), state);
  const view = await buildView(tableDir, state, {
    sort: { column, descending },
    filters: []
  });
  return [...(await readView(view, 0, view.rows))];
}

/**
 * A column of the values that order differently by number and by text,
 * tie, are missing in several ways, or turn a numeric column into text
 * late (the type is only known at the end).
 */
function randomCsv(random: () => number, rows: number): string {
  const pick = <T>(a: T[]): T => a[Math.floor(random() * a.length)];
  const values = [
    '1',
    '10',
    '2',
    '-0',
    '0',
    '0.5',
    '.5',
    '1e3',
    '-3',
    ' 7',
    '7 ',
    '007',
    '',
    '',
    'NA',
    'nan',
    'null',
    ' ',
    'true',
    'False',
    'abc',
    'Abc',
    'é',
    '"q,uoted"',
    '"multi\nline"',
    '1e999'
  ];
  const numeric = values.filter(v => /^[ .\d+-][\d. e+-]*$/.test(v));
  const mostlyNumbers = random() < 0.5;
  let text = 'a,b,c\n';
  for (let r = 0; r < rows; r++) {
    const late = r === rows - 1 && random() < 0.5;
    const b = mostlyNumbers && !late ? pick(numeric) : pick(values);
    const ragged = random() < 0.05;
    text += ragged ? `${r}\n` : `${r},${b},${pick(values)}\n`;
    if (random() < 0.03) text += '\n';
  }
  return text;
}

describe('topRows()', () => {
  it('should order the first rows as the complete index does: types found at the end, ties, empty cells, numbers vs text, both ways', async () => {
    let seed = 11;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 60; k++) {
      const csv = randomCsv(random, 1 + Math.floor(random() * 300));
      for (const column of [1, 2])
        for (const descending of [false, true]) {
          const expected = await fullOrder(
            csv,
            column,
            descending,
            `t${k}-${column}-${descending}`
          );
          for (const count of [1, 7, 1000]) {
            const chunkBytes = 1 + Math.floor(random() * 50);
            const top = await topRows(
              async () => chunked(csv, chunkBytes),
              ',',
              column,
              descending,
              count
            );
            expect(
              top!.rowNumbers,
              JSON.stringify({ csv, column, descending, count })
            ).toEqual(expected.slice(0, count));
            expect(top!.totalRows).toBe(expected.length);
          }
        }
    }
  });
});

describe('topRows() past the rows that make a column look numeric (plain decimals taken by the scanner)', () => {
  it('should order as the complete index does: numbers in any spelling, -0, ties, missing values, quoted fields with separators and line ends before the column, CRLF, late text', async () => {
    let seed = 23;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(a: T[]): T => a[Math.floor(random() * a.length)];
    const plain = ['1', '10', '2', '-0', '0', '0.5', '-3', '1.', '+4', '0.25'];
    const integers = plain.filter(v => !v.includes('.'));
    const other = [
      '.5',
      '1e3',
      ' 7',
      '7 ',
      '007',
      '12345678901234567',
      '0.1234567890123456',
      '',
      'NA',
      'nan',
      '"8"',
      '1e999'
    ];
    for (let k = 0; k < 12; k++) {
      const eol = k % 3 === 2 ? '\r\n' : '\n';
      const lateText = k % 4 === 3;
      let csv = `a,b,c${eol}`;
      const rows = 1100 + Math.floor(random() * 1500);
      for (let r = 0; r < rows; r++) {
        const last = lateText && r === rows - 1;
        const b = last
          ? 'late'
          : r < 1030 || random() < 0.6
            ? // Integers only, until the scanner takes them (then decimals too): the type counts both.
              pick(k % 4 === 1 && r < 1030 ? integers : plain)
            : pick(other);
        // (None quoted for k % 4 === 1: every line is the scanner's.)
        const quoted = k % 4 === 1 ? 0 : 0.1;
        const a = random() < quoted ? `"${r},\n${r}"` : String(r);
        csv +=
          random() < 0.03 && !last
            ? `${a}${eol}`
            : `${a},${b},${random() < quoted ? `"${pick(other).replaceAll('"', '""')},"` : 'c'}${eol}`;
        if (random() < 0.02) csv += eol;
      }
      for (const descending of [false, true]) {
        const expected = await fullOrder(
          csv,
          1,
          descending,
          `taken-${k}-${descending}`
        );
        for (const count of [1, 50, 1000]) {
          const top = await topRows(
            async () => chunked(csv, 1 + Math.floor(random() * 5000)),
            ',',
            1,
            descending,
            count
          );
          expect(
            top!.rowNumbers,
            JSON.stringify({ k, descending, count })
          ).toEqual(expected.slice(0, count));
          expect(top!.totalRows).toBe(expected.length);
          expect(top!.sortType).toBe(lateText ? 'string' : 'number');
        }
      }
    }
  });
});

describe('topRows() on a column that looks numeric for long', () => {
  it('should order by text when a late row holds text (a second pass), and by number when it does not', async () => {
    const rows = 5000;
    let numeric = 'a,b\n';
    for (let i = 0; i < rows; i++) numeric += `${i},${(i * 7919) % 2003}\n`;
    const mixed = `${numeric}${rows},late text\n${rows + 1},\n`;
    let opened = 0;
    for (const [csv, passes] of [
      [numeric, 1],
      [mixed, 2]
    ] as const)
      for (const descending of [false, true]) {
        opened = 0;
        const top = await topRows(
          async () => {
            opened++;
            return chunked(csv, 4096);
          },
          ',',
          1,
          descending,
          300
        );
        const expected = await fullOrder(
          csv,
          1,
          descending,
          `long-${passes}-${descending}`
        );
        expect(top!.rowNumbers).toEqual(expected.slice(0, 300));
        expect(top!.sortType).toBe(passes === 1 ? 'integer' : 'string');
        expect(opened).toBe(passes);
      }
  });

  it('should answer null for a column the first record does not have', async () => {
    expect(
      await topRows(async () => chunked('a,b\n1,2\n', 3), ',', 2, false, 5)
    ).toBeNull();
  });
});

describe('TableViewer: sorted pages while the index is built', () => {
  it('should serve the same sorted pages (rows, order, counts) before and after the index is complete', async () => {
    const rows = 5000;
    let csv = 'id,score,name,flag\n';
    for (let i = 0; i < rows; i++) {
      const score =
        i === rows - 1
          ? ''
          : i % 11 === 0
            ? 'NA'
            : String(((i * 37) % 101) - 50);
      csv += `${i},${score},${i % 3 === 0 ? '' : `n${(i * 7) % 13}`},${i % 2 === 0}\n`;
    }
    // The index reads a stream held after its first chunk, so that the
    // pages below are served while it is incomplete; the sorted pass reads
    // its own stream.
    const held = new PassThrough();
    const bytes = Buffer.from(csv);
    held.write(bytes.subarray(0, 4096));
    const viewer = new TableViewer({ cacheDir: path.join(dir, 'viewer') });
    const source = {
      key: 'held',
      format: 'csv' as const,
      rows: async () => readDelimited(held, ','),
      delimited: {
        delimiter: ',' as const,
        open: async () => chunked(csv, 1000)
      }
    };
    const queries = [
      { sort: { column: 1, descending: true }, offset: 0, limit: 200 },
      { sort: { column: 1, descending: false }, offset: 990, limit: 10 },
      { sort: { column: 2, descending: false }, offset: 0, limit: 50 },
      { sort: { column: 2, descending: true }, offset: 100, limit: 100 },
      { sort: { column: 3, descending: true }, offset: 0, limit: 30 }
    ];
    const early = [];
    for (const query of queries)
      early.push(await viewer.pageOf(source, { ...query, filters: [] }));
    expect(early.map(p => p.complete)).toEqual(queries.map(() => false));
    // The first page came before the index published anything: its columns
    // are those the index has over the first 1,023 rows (but the sort
    // column's type, over every row).
    expect(early[0].rowsIndexed).toBe(0);
    const firstRows = csv.split('\n').slice(0, 1024).join('\n') + '\n';
    const firstState: ITableState = {
      columns: [],
      rowsIndexed: 0,
      complete: false
    };
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'first-rows'), { recursive: true });
    await buildTable(
      path.join(dir, 'first-rows'),
      readDelimited(chunked(firstRows, 1 << 16), ','),
      firstState
    );
    expect(early[0].columns).toEqual(
      firstState.columns.map((c, i) =>
        i === 1
          ? { name: c.name, type: 'integer', summary: c.summary }
          : c.summary
            ? c
            : { name: c.name, type: c.type }
      )
    );
    // A filter with the sort waits for the whole index.
    const filtered = viewer.pageOf(source, {
      sort: { column: 1, descending: false },
      filters: [{ column: 2, op: 'contains', value: 'n1' }],
      offset: 0,
      limit: 100
    });
    held.end(bytes.subarray(4096));
    expect(await filtered).toMatchObject({ complete: true });
    for (const [i, query] of queries.entries()) {
      const late = await viewer.pageOf(source, { ...query, filters: [] });
      expect(late.complete).toBe(true);
      expect(early[i].rowNumbers).toEqual(late.rowNumbers);
      expect(early[i].rows).toEqual(late.rows);
      expect(early[i].totalRows).toBe(late.totalRows);
      expect(early[i].columns[query.sort.column].type).toBe(
        late.columns[query.sort.column].type
      );
    }
    // The score column's last value is empty and 'NA' is missing: still integers.
    expect(early[0].columns[1].type).toBe('integer');
    expect(early[0].rows[0][1]).toBe(50);
  });
});
