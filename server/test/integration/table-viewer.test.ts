import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import type { TablePage } from '@jaxlab/schemas';
import { TRIVIAL_JOB } from '../../../store/test/fixtures/trivial-job.mjs';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer, ITestUser } from '../stand-ins/lab-server.js';

let lab: ITestLabServer;
let alice: ITestUser;
let jobId: string;

/** Arrays written by NumPy itself (the lab's venv). */
function numpyFiles(): { npy: Buffer; npz: Buffer; vector: Buffer } {
  const script = `
import io, sys, numpy as np
def dump(save, *a, **k):
    b = io.BytesIO(); save(b, *a, **k); return b.getvalue().hex()
m = np.array([[1.5, -2.0, 3.25], [4.0, 5.5, -6.75]], dtype=np.float32)
print(dump(np.save, m))
print(dump(np.savez_compressed, weights=np.arange(6, dtype=np.int64).reshape(3, 2), names=np.array(["a", "bb", "ccc"])))
print(dump(np.save, np.array([True, False, True])))
`;
  const [npy, npz, vector] = execFileSync(labPaths().python, ['-c', script])
    .toString()
    .trim()
    .split('\n');
  return {
    npy: Buffer.from(npy, 'hex'),
    npz: Buffer.from(npz, 'hex'),
    vector: Buffer.from(vector, 'hex')
  };
}

/**
 * A Parquet file written by pyarrow (snappy, row groups of 1,000 rows):
 * row i has id i (int64), score (i * 37) % 101 / 4 (missing every 10th),
 * name `n<i % 7>`, flag i % 3 == 0, a date, and a list.
 */
const PARQUET_ROWS = 2500;
function parquetFile(): Buffer {
  const script = `
import io, sys, datetime, pyarrow as pa, pyarrow.parquet as pq
n = ${PARQUET_ROWS}
t = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "score": pa.array([None if i % 10 == 0 else (i * 37) % 101 / 4 for i in range(n)], pa.float64()),
    "name": [f"n{i % 7}" for i in range(n)],
    "flag": [i % 3 == 0 for i in range(n)],
    "day": [datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 30) for i in range(n)],
    "dims": [[i, i + 1] for i in range(n)],
})
b = io.BytesIO(); pq.write_table(t, b, row_group_size=1000, compression="snappy")
sys.stdout.write(b.getvalue().hex())
`;
  return Buffer.from(
    execFileSync(labPaths().python, ['-c', script]).toString(),
    'hex'
  );
}

beforeAll(async () => {
  lab = await startLabServer();
  alice = await lab.as('alice');
  const job = await lab.store.jobs.create(alice.id, TRIVIAL_JOB);
  jobId = job.id;
  const put = (name: string, data: Buffer | string) =>
    lab.store.artifacts.put(jobId, {
      name,
      data: typeof data === 'string' ? Buffer.from(data) : data
    });
  await put(
    'quoted.csv',
    'name,note,value\n"Smith, J","said ""hi""\nthen left",1.5\nDoe,,NA\n"Roe",plain,-3\n'
  );
  await put('data.tsv', 'a\tb\n1\tx\n2\ty\n');
  await put(
    'events.jsonl',
    '{"step": 1, "loss": 0.5}\n{"step": 2, "loss": 0.25, "tag": {"k": 1}}\n\n{"step": 3, "ok": true}\n'
  );
  await put('bad.jsonl', '{"a": 1}\nnot json\n');
  const { npy, npz, vector } = numpyFiles();
  await put('matrix.npy', npy);
  await put('arrays.npz', npz);
  await put('flags.npy', vector);
  await put('scores.parquet', parquetFile());
  await put('broken.parquet', 'not parquet at all');
  await put('notes.txt', 'hello');
  // Step series: loss at every step 0-9999 (three stored chunks, logged in
  // two batches), accuracy at every 10th step from 5, a second later.
  const steps = Array.from({ length: SERIES_STEPS }, (_, i) => i);
  for (const half of [steps.slice(0, 6000), steps.slice(6000)]) {
    const accuracy = half.filter(s => s % 10 === 5);
    await lab.store.series.append(jobId, {
      loss: {
        steps: half,
        values: half.map(lossAt),
        times: half.map(s => T0 + s * 1000)
      },
      ...(accuracy.length && {
        accuracy: {
          steps: accuracy,
          values: accuracy.map(accuracyAt),
          times: accuracy.map(s => T0 + s * 1000 + 1000)
        }
      })
    });
  }
});

const SERIES_STEPS = 10_000;
const T0 = Date.UTC(2026, 0, 1);
const lossAt = (s: number) => 10 / (1 + s) + (s % 13) / 100;
const accuracyAt = (s: number) => ((s * 7919) % 1000) / 1000;

afterAll(async () => {
  await lab?.close();
});

async function table(
  artifact: string,
  params: Record<string, string> = {}
): Promise<TablePage> {
  const query = new URLSearchParams({ artifact, ...params });
  const res = await alice.call('GET', `/api/jobs/${jobId}/table?${query}`);
  const body = await res.json();
  if (res.status !== 200) throw Object.assign(new Error(body.message), body);
  return body as TablePage;
}

describe('GET /api/jobs/{id}/table: formats', () => {
  it('should read CSV with quoted commas, quotes and newlines, inferring types and missing values', async () => {
    const page = await table('quoted.csv');
    expect(page.columns.map(c => [c.name, c.type])).toEqual([
      ['name', 'string'],
      ['note', 'string'],
      ['value', 'number']
    ]);
    expect(page.rows).toEqual([
      ['Smith, J', 'said "hi"\nthen left', 1.5],
      ['Doe', null, null],
      ['Roe', 'plain', -3]
    ]);
    expect(page.columns[2].summary).toEqual({
      count: 2,
      missing: 1,
      mean: -0.75,
      min: -3,
      max: 1.5
    });
    expect(page).toMatchObject({
      format: 'csv',
      complete: true,
      rowsIndexed: 3,
      totalRows: 3
    });
  });

  it('should read TSV and JSON lines (columns as they appear, nested values as JSON)', async () => {
    expect((await table('data.tsv')).rows).toEqual([
      [1, 'x'],
      [2, 'y']
    ]);
    const jsonl = await table('events.jsonl');
    expect(jsonl.columns.map(c => [c.name, c.type])).toEqual([
      ['step', 'integer'],
      ['loss', 'number'],
      ['tag', 'string'],
      ['ok', 'boolean']
    ]);
    expect(jsonl.rows).toEqual([
      [1, 0.5, null, null],
      [2, 0.25, '{"k":1}', null],
      [3, null, null, true]
    ]);
  });

  it('should read .npy arrays of one and two dimensions and the arrays of an .npz', async () => {
    const matrix = await table('matrix.npy');
    expect(matrix.columns.map(c => c.name)).toEqual(['0', '1', '2']);
    expect(matrix.rows).toEqual([
      [1.5, -2, 3.25],
      [4, 5.5, -6.75]
    ]);
    expect((await table('flags.npy')).rows).toEqual([[true], [false], [true]]);
    const npz = await table('arrays.npz');
    expect(npz.members!.sort()).toEqual(['names', 'weights']);
    const weights = await table('arrays.npz', { member: 'weights' });
    expect(weights.rows).toEqual([
      [0, 1],
      [2, 3],
      [4, 5]
    ]);
    expect(weights.columns[1].summary).toMatchObject({
      count: 3,
      mean: 3,
      min: 1,
      max: 5
    });
    expect((await table('arrays.npz', { member: 'names' })).rows).toEqual([
      ['a'],
      ['bb'],
      ['ccc']
    ]);
  });

  it('should read Parquet across row groups, paged, sorted and filtered as a reference computed here', async () => {
    const score = (i: number) => (i % 10 === 0 ? null : ((i * 37) % 101) / 4);
    const page = await table('scores.parquet', { offset: '995', limit: '10' });
    expect(page).toMatchObject({ format: 'parquet', offset: 995 });
    expect(page.columns.map(c => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['score', 'number'],
      ['name', 'string'],
      ['flag', 'boolean'],
      ['day', 'string'],
      ['dims', 'string']
    ]);
    // Rows 995-1004 straddle the first two row groups.
    expect(page.rows.map(r => r[0])).toEqual(
      Array.from({ length: 10 }, (_, k) => 995 + k)
    );
    expect(page.rows[5]).toEqual([
      1000,
      null,
      'n6',
      false,
      '2026-01-11T00:00:00.000Z',
      '[1000,1001]'
    ]);
    const ids = Array.from({ length: PARQUET_ROWS }, (_, i) => i);
    const scored = ids.filter(i => score(i) !== null);
    const byScore = [...scored].sort((a, b) => score(b)! - score(a)! || a - b);
    const sorted = await table('scores.parquet', {
      sort: '1',
      order: 'desc',
      limit: '50'
    });
    expect(sorted.totalRows).toBe(PARQUET_ROWS);
    expect(sorted.rowNumbers).toEqual(byScore.slice(0, 50));
    expect(sorted.columns[1].summary).toMatchObject({
      count: scored.length,
      missing: PARQUET_ROWS - scored.length,
      min: 0,
      max: 25
    });
    expect(sorted.columns[1].summary!.mean).toBeCloseTo(
      scored.reduce((s, i) => s + score(i)!, 0) / scored.length,
      9
    );
    const filtered = await table('scores.parquet', {
      filter: JSON.stringify([
        { column: 2, op: '=', value: 'n3' },
        { column: 1, op: '>', value: '20' }
      ]),
      limit: '1000'
    });
    expect(filtered.rowNumbers).toEqual(
      ids.filter(i => i % 7 === 3 && (score(i) ?? -1) > 20)
    );
  });

  it("should show a run's step series as one table (step, wall time, a column per metric), sorted and filtered", async () => {
    const query = (params: Record<string, string>) =>
      alice
        .call(
          'GET',
          `/api/jobs/${jobId}/table?${new URLSearchParams({ series: '1', ...params })}`
        )
        .then(res => res.json() as Promise<TablePage>);
    const first = await query({ offset: '4', limit: '3' });
    expect(first.format).toBe('series');
    expect(first.columns.map(c => [c.name, c.type])).toEqual([
      ['step', 'integer'],
      ['wall time', 'string'],
      ['loss', 'number'],
      ['accuracy', 'number']
    ]);
    expect(first.rows).toEqual([
      [4, '2026-01-01T00:00:04.000Z', lossAt(4), null],
      [5, '2026-01-01T00:00:06.000Z', lossAt(5), accuracyAt(5)],
      [6, '2026-01-01T00:00:06.000Z', lossAt(6), null]
    ]);
    const accuracySteps = Array.from(
      { length: SERIES_STEPS / 10 },
      (_, i) => i * 10 + 5
    );
    const best = [...accuracySteps].sort(
      (a, b) => accuracyAt(b) - accuracyAt(a) || a - b
    );
    const sorted = await query({ sort: '3', order: 'desc', limit: '20' });
    expect(sorted.totalRows).toBe(SERIES_STEPS);
    expect(sorted.rows.map(r => r[0])).toEqual(best.slice(0, 20));
    expect(sorted.columns[3].summary).toMatchObject({
      count: accuracySteps.length,
      missing: SERIES_STEPS - accuracySteps.length
    });
    expect(sorted.columns[2].summary!.min).toBe(
      Math.min(...Array.from({ length: SERIES_STEPS }, (_, s) => lossAt(s)))
    );
    const late = await query({
      filter: JSON.stringify([
        { column: 0, op: '>', value: '9990' },
        { column: 3, op: '>', value: '0' }
      ])
    });
    expect(late.rows.map(r => r[0])).toEqual([9995]);
    const both = await alice.call(
      'GET',
      `/api/jobs/${jobId}/table?series=1&artifact=data.tsv`
    );
    expect(both.status).toBe(400);
  });

  it('should refuse what it cannot show with a clear code', async () => {
    await expect(table('notes.txt')).rejects.toMatchObject({
      code: 'TABLE_UNSUPPORTED'
    });
    await expect(table('broken.parquet')).rejects.toMatchObject({
      code: 'TABLE_UNSUPPORTED',
      message: expect.stringMatching(/not Parquet/)
    });
    await expect(table('bad.jsonl')).rejects.toMatchObject({
      code: 'TABLE_UNSUPPORTED',
      message: expect.stringMatching(/Line 2/)
    });
    await expect(table('quoted.csv', { sort: '9' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST'
    });
    await expect(
      table('quoted.csv', { filter: '[{"column":0,"op":"~","value":"x"}]' })
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
