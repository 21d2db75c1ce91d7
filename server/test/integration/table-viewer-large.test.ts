/**
 * The data viewer on a generated 1,000,000-row CSV, served by a real
 * `jaxlab-server` process whose JavaScript heap is capped at 128 MiB: the
 * first page arrives while the file is still being indexed, sorting and
 * filtering agree with a reference computed here, and the server never
 * needs the file in memory (with the cap it would die).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TablePage } from '@jaxlab/schemas';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';
import { TRIVIAL_JOB } from '../../../store/test/fixtures/trivial-job.mjs';

const ROWS = 1_000_000;
const LABELS = ['cat', 'dog', 'cow', 'owl'];
const HEAP_MIB = 128;
const SERVER_BIN = fileURLToPath(
  new URL('../../lib/bin/jaxlab-server.js', import.meta.url)
);

// The reference, column by column (the test keeps no CSV text).
const score = new Float64Array(ROWS);
const x = new Int32Array(ROWS);
const label = new Uint8Array(ROWS);

let dir: string;
let server: ChildProcess;
let url: string;
let store: IStore;
let jobId: string;
let serverLog = '';

async function table(params: Record<string, string>): Promise<TablePage> {
  const query = new URLSearchParams({ artifact: 'big.csv', ...params });
  const res = await fetch(`${url}/api/jobs/${jobId}/table?${query}`, {
    headers: { authorization: 'Bearer large-table-token' }
  });
  const body = await res.json();
  if (res.status !== 200)
    throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body as TablePage;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jl-table-'));
  server = spawn(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MIB}`,
      SERVER_BIN,
      '--port',
      '0',
      '--data-dir',
      dir
    ],
    {
      env: {
        ...process.env,
        JAXLAB_TOKEN: 'large-table-token',
        MONGODB_URI: ''
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  );
  server.stderr!.on('data', chunk => (serverLog += chunk));
  url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', chunk => {
      serverLog += chunk;
      const m = /jaxlab-server (http:\/\/\S+)/.exec(serverLog);
      if (m) resolve(m[1]);
    });
    server.once('exit', code =>
      reject(new Error(`server exited ${code}: ${serverLog}`))
    );
  });
  const me = await (
    await fetch(`${url}/api/me`, {
      headers: { authorization: 'Bearer large-table-token' }
    })
  ).json();
  store = await openStore({ sqlite: { path: join(dir, 'jaxlab.db') } });
  jobId = (await store.jobs.create(me.id, TRIVIAL_JOB)).id;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < ROWS; i++) {
    score[i] = Math.round(random() * 1e6) / 1e6;
    x[i] = Math.floor(random() * 2001) - 1000;
    label[i] = Math.floor(random() * 4);
  }
  async function* csv() {
    yield Buffer.from('id,score,label,x\n');
    for (let start = 0; start < ROWS; start += 10_000) {
      let block = '';
      for (let i = start; i < start + 10_000; i++)
        block += `${i},${score[i]},${LABELS[label[i]]}${i % 97},${x[i]}\n`;
      yield Buffer.from(block);
    }
  }
  await store.artifacts.put(jobId, { name: 'big.csv', data: csv() });
}, 120_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await store?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the data viewer on a 1,000,000-row CSV', () => {
  it('should serve the first page before the file is read to its end', async () => {
    const started = performance.now();
    const first = await table({ limit: '50' });
    const firstMs = performance.now() - started;
    expect(first.rows[0]).toEqual([0, score[0], `${LABELS[label[0]]}0`, x[0]]);
    expect(first.rows).toHaveLength(50);
    expect(first.complete).toBe(false);
    expect(first.rowsIndexed).toBeLessThan(ROWS);
    console.log(
      `first page: ${firstMs.toFixed(0)} ms, ${first.rowsIndexed} of ${ROWS} rows indexed then`
    );
  });

  it('should sort by a column as the reference does, with types and summaries over every row', async () => {
    const byScore = Array.from({ length: ROWS }, (_, i) => i).sort(
      (a, b) => score[b] - score[a] || a - b
    );
    // The first sorted page, asked while the index is still built, comes
    // from one pass over the column: in the same order.
    const started = performance.now();
    const top = await table({ sort: '1', order: 'desc', limit: '50' });
    console.log(
      `first sorted page: ${(performance.now() - started).toFixed(0)} ms, complete ${top.complete}`
    );
    expect(top.totalRows).toBe(ROWS);
    expect(top.rowNumbers).toEqual(byScore.slice(0, 50));
    expect(top.rows).toEqual(
      byScore
        .slice(0, 50)
        .map(i => [i, score[i], `${LABELS[label[i]]}${i % 97}`, x[i]])
    );
    const sorted = await table({
      sort: '1',
      order: 'desc',
      offset: '1000',
      limit: '100'
    });
    expect(sorted).toMatchObject({
      complete: true,
      rowsIndexed: ROWS,
      totalRows: ROWS
    });
    expect(sorted.rowNumbers).toEqual(byScore.slice(1000, 1100));
    expect(sorted.rows.map(r => r[1])).toEqual(
      byScore.slice(1000, 1100).map(i => score[i])
    );
    expect(sorted.columns.map(c => c.type)).toEqual([
      'integer',
      'number',
      'string',
      'integer'
    ]);
    expect(sorted.columns[1].summary!.mean).toBeCloseTo(
      score.reduce((s, v) => s + v, 0) / ROWS,
      9
    );
    expect(sorted.columns[3].summary).toMatchObject({
      count: ROWS,
      missing: 0,
      min: x.reduce((m, v) => Math.min(m, v), Infinity),
      max: x.reduce((m, v) => Math.max(m, v), -Infinity)
    });
    const byLabel = Array.from({ length: ROWS }, (_, i) => i).sort((a, b) => {
      const la = `${LABELS[label[a]]}${a % 97}`;
      const lb = `${LABELS[label[b]]}${b % 97}`;
      return la < lb ? -1 : la > lb ? 1 : a - b;
    });
    const text = await table({ sort: '2', offset: '500000', limit: '20' });
    expect(text.rowNumbers).toEqual(byLabel.slice(500_000, 500_020));
  }, 120_000);

  it('should filter (contains, >) and sort the rows kept as the reference does, with their summary', async () => {
    const filters = [
      { column: 2, op: 'contains', value: 'CAT' },
      { column: 3, op: '>', value: '500' }
    ];
    const kept: number[] = [];
    for (let i = 0; i < ROWS; i++)
      if (label[i] === 0 && x[i] > 500) kept.push(i);
    kept.sort((a, b) => x[a] - x[b] || a - b);
    const filtered = await table({
      sort: '3',
      filter: JSON.stringify(filters),
      limit: '200'
    });
    expect(filtered.totalRows).toBe(kept.length);
    expect(filtered.rowNumbers).toEqual(kept.slice(0, 200));
    const keptScores = kept.map(i => score[i]);
    expect(filtered.filteredSummary![1]).toMatchObject({
      count: kept.length,
      min: keptScores.reduce((m, v) => Math.min(m, v), Infinity),
      max: keptScores.reduce((m, v) => Math.max(m, v), -Infinity)
    });
    const last = await table({
      sort: '3',
      filter: JSON.stringify(filters),
      offset: String(kept.length - 3),
      limit: '10'
    });
    expect(last.rowNumbers).toEqual(kept.slice(-3));
    const equal = await table({
      filter: JSON.stringify([{ column: 3, op: '=', value: '-1000' }]),
      limit: '1000'
    });
    expect(equal.rowNumbers).toEqual([...x.keys()].filter(i => x[i] === -1000));
    // Alive, with its heap capped at 128 MiB throughout.
    expect(server.exitCode).toBeNull();
  }, 120_000);
});
