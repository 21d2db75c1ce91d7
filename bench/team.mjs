// Team mode against local mode, in one run (issue 15), in headless Chromium:
//
// - sign-in to a usable JupyterLab (the launcher or the menu bar shown):
//   team mode for a first-time user (account creation + spawn), for a
//   returning one whose server was stopped (spawn), and for a returning one
//   whose server still runs; local mode (the lab already runs);
// - the kernel round trip (kernel_info_request -> reply over the channels
//   WebSocket of the user's JupyterLab, which forwards it to the gateway)
//   through JupyterHub's configurable-http-proxy and, on the same server,
//   straight to the single-user server's own port: the difference is what
//   the proxy adds. Local mode's round trip for reference.
//
// Team mode signs in with the server's login token (`--team` without
// Google): one user. Needs root (it creates a system account, removed at
// the end). Usage: node bench/team.mjs [--trips 200] [--samples 3]
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { REPO_ROOT, startLab } from '../scripts/start-lab.mjs';
import { fmt, median, percentile } from './lib.mjs';

const { values } = parseArgs({
  options: {
    trips: { type: 'string', default: '200' },
    samples: { type: 'string', default: '3' }
  }
});
const trips = Number(values.trips);
const samples = Number(values.samples);
const load = () =>
  spawnSync('cut', ['-d', ' ', '-f1-3', '/proc/loadavg'], {
    encoding: 'utf8'
  }).stdout.trim();
const p99 = xs => percentile(xs, 99);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run']
});

/** ms from `goto(url)` until JupyterLab shows its menu bar. */
async function timeToLab(context, url) {
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(url);
  await page
    .locator('.lm-MenuBar-itemLabel', { hasText: 'File' })
    .waitFor({ timeout: 180_000 });
  return { ms: performance.now() - t0, page };
}

/**
 * Round trips of kernel_info_request over `wsUrl` from this process (the
 * `ws` client), with `headers` (cookies; Origin as the server expects).
 */
async function roundTrips(wsUrl, count, headers = {}) {
  const ws = new WebSocket(wsUrl, { headers });
  await new Promise((ok, fail) => {
    ws.once('open', ok);
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) =>
      fail(new Error(`${wsUrl}: HTTP ${res.statusCode}`))
    );
  });
  const times = [];
  const session = randomUUID();
  for (let i = 0; i < count + 10; i++) {
    const id = randomUUID();
    const t0 = performance.now();
    const got = new Promise(ok => {
      const onMessage = data => {
        const msg = JSON.parse(String(data));
        if (msg.parent_header?.msg_id === id && msg.channel === 'shell') {
          ws.off('message', onMessage);
          ok();
        }
      };
      ws.on('message', onMessage);
    });
    ws.send(
      JSON.stringify({
        channel: 'shell',
        header: {
          msg_id: id,
          msg_type: 'kernel_info_request',
          session,
          username: 'bench',
          version: '5.3',
          date: new Date().toISOString()
        },
        parent_header: {},
        metadata: {},
        content: {}
      })
    );
    await got;
    if (i >= 10) times.push(performance.now() - t0);
  }
  ws.close();
  return times;
}

/** The port of the single-user server of `uid`'s account (root reads its environment). */
function singleUserPort() {
  for (const pid of readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('jupyterhub-singleuser')) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const url = env.find(e => e.startsWith('JUPYTERHUB_SERVICE_URL='));
      const port =
        url && new URL(url.slice('JUPYTERHUB_SERVICE_URL='.length)).port;
      if (port) return port;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no single-user server found');
}

/** Starts a kernel through the lab at `base` (cookies of `page`), returns its id. */
async function startKernel(page, base) {
  return page.evaluate(async base => {
    const xsrf = /_xsrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
    const res = await fetch(`${base}/api/kernels`, {
      method: 'POST',
      credentials: 'include',
      headers: {
        'X-XSRFToken': decodeURIComponent(xsrf),
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({ name: 'jaxlab' })
    });
    return (await res.json()).id;
  }, base);
}

const rows = [];
const trip = {};

// --- local mode ---------------------------------------------------------
{
  console.error(`# local mode, load ${load()}`);
  const lab = await startLab({});
  try {
    const times = [];
    let page;
    for (let i = 0; i < samples; i++) {
      const context = await browser.newContext();
      await (await context.newPage()).goto(lab.loginUrl);
      const run = await timeToLab(context, lab.labUrl);
      times.push(run.ms);
      page = run.page;
    }
    rows.push(['local mode: login URL -> lab (lab already running)', times]);
    const origin = new URL(lab.labUrl).origin;
    const token = new URL(lab.labUrl).searchParams.get('token');
    const id = await startKernel(page, origin);
    trip.local = await roundTrips(
      `${origin.replace('http', 'ws')}/api/kernels/${id}/channels?token=${token}`,
      trips
    );
  } finally {
    await lab.stop();
  }
}

// --- team mode ----------------------------------------------------------
const homeRoot = mkdtempSync('/tmp/jxl-bench-homes-');
try {
  console.error(`# team mode, load ${load()}`);
  const lab = await startLab({ mode: 'team', homeRoot });
  try {
    const signIn = async () => {
      const context = await browser.newContext();
      // The login URL signs in at the server and goes on to the hub, which
      // signs in through the server's OpenID provider and spawns.
      return { context, ...(await timeToLab(context, lab.loginUrl)) };
    };
    const first = await signIn();
    const user = new URL(first.page.url()).pathname.split('/')[2];
    rows.push([
      'team: first-time user, sign-in -> lab (account + spawn)',
      [first.ms]
    ]);
    const running = [];
    for (let i = 0; i < samples; i++) running.push((await signIn()).ms);
    rows.push(['team: returning user, server running', running]);
    const stopped = [];
    for (let i = 0; i < samples; i++) {
      // Signing out stops the server; the next sign-in spawns it again.
      const s = await signIn();
      await s.page.goto(`${lab.hubUrl}/hub/logout`);
      await s.page
        .getByRole('heading', { name: 'You are signed out' })
        .waitFor();
      stopped.push((await signIn()).ms);
    }
    rows.push(['team: returning user, server stopped (spawn)', stopped]);
    const { page } = await signIn();
    const base = `${lab.hubUrl}/user/${user}`;
    const id = await startKernel(page, base);
    // The single-user server's own port, past the proxy; the same cookies
    // (cookies are per host, not per port).
    const direct = singleUserPort();
    const wsPath = `/user/${user}/api/kernels/${id}/channels`;
    const cookie = (await page.context().cookies(`${lab.hubUrl}${wsPath}`))
      .map(c => `${c.name}=${c.value}`)
      .join('; ');
    const hubOrigin = lab.hubUrl;
    trip.proxied = [];
    trip.direct = [];
    for (let round = 0; round < 3; round++) {
      trip.proxied.push(
        ...(await roundTrips(
          `${hubOrigin.replace('http', 'ws')}${wsPath}`,
          trips / 3,
          {
            Cookie: cookie,
            Origin: hubOrigin
          }
        ))
      );
      trip.direct.push(
        ...(await roundTrips(`ws://127.0.0.1:${direct}${wsPath}`, trips / 3, {
          Cookie: cookie,
          Origin: `http://127.0.0.1:${direct}`
        }))
      );
    }
  } finally {
    await lab.stop();
  }
} finally {
  spawnSync(join(REPO_ROOT, '.venv/bin/python'), [
    '-c',
    'import sys, pathlib; from jaxlab_hub.system_users import remove_system_accounts as r; r(pathlib.Path(sys.argv[1]))',
    homeRoot
  ]);
  rmSync(homeRoot, { recursive: true, force: true });
  await browser.close();
}

console.log(
  `sign-in to a usable JupyterLab (menu bar shown), ${samples} samples each unless one\n`
);
console.log('| path | median ms | samples ms |\n| --- | --: | --- |');
for (const [name, xs] of rows)
  console.log(
    `| ${name} | ${fmt(median(xs))} | ${xs.map(x => fmt(x)).join(', ')} |`
  );
console.log(
  `\nkernel round trip (kernel_info_request -> reply, ${trips} per path after 10 warm-up, interleaved in 3 rounds)\n`
);
console.log('| path | median ms | p99 ms |\n| --- | --: | --: |');
for (const [name, xs] of [
  ['local mode: JupyterLab -> gateway', trip.local],
  ['team: proxy -> single-user server -> gateway', trip.proxied],
  ['team: single-user server -> gateway (proxy bypassed)', trip.direct]
])
  console.log(`| ${name} | ${fmt(median(xs))} | ${fmt(p99(xs))} |`);
console.log(
  `\nproxy adds (median proxied - median direct): ${(median(trip.proxied) - median(trip.direct)).toFixed(2)} ms; ratio ${(median(trip.proxied) / median(trip.direct)).toFixed(2)}`
);
console.error(`# done, load ${load()}`);
