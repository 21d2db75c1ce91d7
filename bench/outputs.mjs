// Issue 14's benchmark, in one run: a run's outputs through a real
// jaxlab-server (SQLite store, artifacts as files under its data folder).
//
//  1. data viewer on a 1,000,000-row CSV (id, score, label, x): time to the
//     first page of a file never opened (its index is being built) and to
//     the page sorted by a number column asked next; and to the sorted
//     page of another file never opened, asked first; against pandas
//     reading the whole file (read_csv) and sorting it (sort_values,
//     stable) in the same run. Each sample uses new files (the viewer's
//     index is kept per content), so every figure is a cold one.
//     Memory: the server's peak RSS against the file's size, and pandas'.
//  2. artifact throughput for one file of --mib MiB (default 500): put into
//     the store as the gateway does (streamed from the file), and downloaded
//     over HTTP (GET /api/jobs/{id}/artifacts/{name}); this process's peak
//     RSS and the server's, against reading the file with fs as a ceiling.
//
// Usage: node bench/outputs.mjs [--rows 1000000] [--runs 3] [--mib 500] [--no-peer]
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '@jaxlab/store';
import {
  PY,
  ROOT,
  TRIVIAL_JOB,
  fmt,
  freePort,
  median,
  startProcess,
  waitForHttp
} from './lib.mjs';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    mib: { type: 'string', default: '500' },
    'no-peer': { type: 'boolean', default: false }
  }
});
const ROWS = Number(opts.rows);
const RUNS = Number(opts.runs);
const MIB = Number(opts.mib);
const TOKEN = 'bench-outputs-token';
const auth = { authorization: `Bearer ${TOKEN}` };

const rssMiB = (pid, field = 'VmRSS') => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
    readFileSync(`/proc/${pid}/status`, 'utf8')
  );
  return m ? Number(m[1]) / 1024 : NaN;
};

/** The largest RSS of `pid` seen every 20 ms while `work` runs. */
async function peakRssDuring(pid, work) {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMiB(pid));
}

/** A 1,000,000-row CSV as the test's, but with `seed` making each file new. */
function writeCsv(path, seed) {
  const labels = ['cat', 'dog', 'cow', 'owl'];
  let s = seed;
  const random = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  writeFileSync(path, 'id,score,label,x\n');
  for (let start = 0; start < ROWS; start += 50_000) {
    let block = '';
    for (let i = start; i < Math.min(ROWS, start + 50_000); i++)
      block += `${i},${Math.round(random() * 1e6) / 1e6},${labels[Math.floor(random() * 4)]}${i % 97},${Math.floor(random() * 2001) - 1000}\n`;
    writeFileSync(path, block, { flag: 'a' });
  }
}

const PANDAS = `
import sys, time, resource
import pandas as pd
path = sys.argv[1]
t0 = time.perf_counter()
df = pd.read_csv(path)
t1 = time.perf_counter()
top = df.sort_values('score', ascending=False, kind='stable').iloc[:50]
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t0) * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
`;

const dir = mkdtempSync(join(tmpdir(), 'jl-bench-outputs-'));
const port = await freePort();
const server = startProcess(
  'node',
  [
    join(ROOT, 'server/lib/bin/jaxlab-server.js'),
    '--port',
    String(port),
    '--data-dir',
    dir
  ],
  {
    env: {
      ...process.env,
      JAXLAB_TOKEN: TOKEN,
      MONGODB_URI: '',
      GEMINI_API_KEY: ''
    }
  }
);
const url = `http://127.0.0.1:${port}`;
try {
  await waitForHttp(`${url}/api/me`, auth);
  const me = await (await fetch(`${url}/api/me`, { headers: auth })).json();
  const store = await openStore({ sqlite: { path: join(dir, 'jaxlab.db') } });
  const job = await store.jobs.create(me.id, TRIVIAL_JOB);
  const table = async (name, params) => {
    const res = await fetch(
      `${url}/api/jobs/${job.id}/table?${new URLSearchParams({ artifact: name, ...params })}`,
      {
        headers: auth
      }
    );
    const body = await res.json();
    if (res.status !== 200)
      throw new Error(`${res.status} ${JSON.stringify(body)}`);
    return body;
  };

  console.log(
    `## data viewer: ${ROWS.toLocaleString('en-US')}-row CSV, ${RUNS} cold runs`
  );
  const first = [];
  const sortedCold = [];
  const sortedAfterFirst = [];
  const sortedFromOpen = [];
  const pandasRead = [];
  const pandasSorted = [];
  let pandasRss = NaN;
  let csvBytes = 0;
  const put = async (run, kind) => {
    const name = `table-${run}-${kind}.csv`;
    const csv = join(dir, name);
    writeCsv(csv, 42 + 2 * run + (kind === 'sorted' ? 1 : 0));
    csvBytes = statSync(csv).size;
    await store.artifacts.put(job.id, { name, data: createReadStream(csv) });
    return { name, csv };
  };
  const sortedPage = async name => {
    const top = await table(name, { sort: '1', order: 'desc', limit: '50' });
    if (top.totalRows !== ROWS || top.rows.length !== 50)
      throw new Error('unexpected sorted page');
    return top;
  };
  // A sample starts once the last file's index is built (not sharing the CPU with it).
  const indexed = async name => {
    while (!(await table(name, { limit: '1' })).complete)
      await new Promise(resolve => setTimeout(resolve, 50));
  };
  for (let run = 0; run < RUNS; run++) {
    // A: the first page of a file never opened, then sorted (as a user clicks).
    const a = await put(run, 'first');
    const t0 = performance.now();
    const page = await table(a.name, { limit: '50' });
    first.push(performance.now() - t0);
    if (page.rows.length !== 50) throw new Error('unexpected first page');
    const t1 = performance.now();
    await sortedPage(a.name);
    sortedAfterFirst.push(performance.now() - t1);
    sortedFromOpen.push(performance.now() - t0);
    await indexed(a.name);
    // B: a file never opened, asked sorted first.
    const b = await put(run, 'sorted');
    const t2 = performance.now();
    await sortedPage(b.name);
    sortedCold.push(performance.now() - t2);
    await indexed(b.name);
    if (!opts['no-peer']) {
      const [read, sort, rss] = execFileSync(PY, ['-c', PANDAS, b.csv], {
        encoding: 'utf8'
      })
        .trim()
        .split(' ')
        .map(Number);
      pandasRead.push(read);
      pandasSorted.push(sort);
      pandasRss = rss;
    }
    rmSync(a.csv);
    rmSync(b.csv);
  }
  const serverRss = rssMiB(server.child.pid, 'VmHWM');
  console.log(`file: ${fmt(csvBytes / 2 ** 20)} MiB`);
  console.log(
    `first page (cold, while indexing): median ${fmt(median(first))} ms  [${first.map(v => fmt(v)).join(', ')}]`
  );
  const list = values => `[${values.map(v => fmt(v, 0)).join(', ')}]`;
  console.log(
    `sorted page of a file never opened:    median ${fmt(median(sortedCold), 0)} ms  ${list(sortedCold)}`
  );
  console.log(
    `sorted page asked after the first page: median ${fmt(median(sortedAfterFirst), 0)} ms  ${list(sortedAfterFirst)} (from the open: ${fmt(median(sortedFromOpen), 0)} ms ${list(sortedFromOpen)})`
  );
  if (pandasRead.length) {
    console.log(
      `pandas read_csv (whole file):          median ${fmt(median(pandasRead), 0)} ms  ${list(pandasRead)}`
    );
    console.log(
      `pandas read_csv + sort_values:         median ${fmt(median(pandasSorted), 0)} ms  ${list(pandasSorted)}`
    );
    console.log(
      `ratio sorted page (never opened) / pandas read_csv: ${fmt(median(sortedCold) / median(pandasRead), 2)}x (goal <= 1x); / read + sort: ${fmt(median(sortedCold) / median(pandasSorted), 2)}x`
    );
    console.log(
      `ratio first page + sorted page / pandas read_csv: ${fmt(median(sortedFromOpen) / median(pandasRead), 2)}x`
    );
    console.log(
      `peak RSS: server ${fmt(serverRss, 0)} MiB (whole run), pandas ${fmt(pandasRss, 0)} MiB, file ${fmt(csvBytes / 2 ** 20)} MiB`
    );
  } else
    console.log(
      `peak RSS: server ${fmt(serverRss, 0)} MiB (whole run), file ${fmt(csvBytes / 2 ** 20)} MiB`
    );

  console.log();
  console.log(`## artifact throughput: one ${MIB} MiB file`);
  const big = join(dir, 'big.bin');
  const handle = await open(big, 'w');
  const chunk = Buffer.alloc(8 << 20);
  for (let i = 0; i < chunk.length; i += 4)
    chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < MIB << 20; written += chunk.length) {
    chunk.writeUInt32LE(written >>> 0, 0); // no two chunks alike
    await handle.write(chunk, 0, Math.min(chunk.length, (MIB << 20) - written));
  }
  await handle.close();
  const bytes = statSync(big).size;
  let t = performance.now();
  for await (const _ of createReadStream(big, { highWaterMark: 1 << 20 }));
  const fsRead = bytes / 2 ** 20 / ((performance.now() - t) / 1000);
  const rssBefore = rssMiB(process.pid);
  t = performance.now();
  const benchRss = await peakRssDuring(process.pid, () =>
    store.artifacts.put(job.id, {
      name: 'big.bin',
      data: createReadStream(big, { highWaterMark: 1 << 20 })
    })
  );
  const upload = bytes / 2 ** 20 / ((performance.now() - t) / 1000);
  const serverBefore = rssMiB(server.child.pid);
  let received = 0;
  t = performance.now();
  const serverRssDownload = await peakRssDuring(server.child.pid, async () => {
    const res = await fetch(`${url}/api/jobs/${job.id}/artifacts/big.bin`, {
      headers: auth
    });
    for await (const part of res.body) received += part.byteLength;
  });
  const download = received / 2 ** 20 / ((performance.now() - t) / 1000);
  if (received !== bytes)
    throw new Error(`downloaded ${received} of ${bytes} bytes`);
  console.log(
    `put into the store (streamed, sha256): ${fmt(upload, 0)} MiB/s (goal >= 200 MB/s); this process's RSS ${fmt(rssBefore, 0)} -> peak ${fmt(benchRss, 0)} MiB`
  );
  console.log(
    `download over HTTP:                    ${fmt(download, 0)} MiB/s (goal >= 200 MB/s); server's RSS ${fmt(serverBefore, 0)} -> peak ${fmt(serverRssDownload, 0)} MiB`
  );
  console.log(`reading the file with fs (ceiling):    ${fmt(fsRead, 0)} MiB/s`);
  await store.dispose();
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
