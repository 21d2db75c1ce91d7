import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { labPaths } from '@jaxlab/paths';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import { ENDLESS_PROGRAM, submitJob, waitForStatus } from './jobs-programs.js';
import { KernelManager, createKernelLauncher } from '@jaxlab/kernel-gateway';

const { root: REPO, python: PYTHON } = labPaths();
const LEASE_MS = 2000;

/**
 * A gateway in a child process: loads the TypeScript sources through Vite's
 * SSR module loader (no build needed), then runs a JobRunner with the real
 * SQLite store, KernelManager and bubblewrap launcher.
 */
const GATEWAY_SCRIPT = `
import { readFileSync } from 'node:fs';
import { createServer } from ${JSON.stringify(path.join(REPO, 'node_modules/vite/dist/node/index.js'))};
const repo = ${JSON.stringify(REPO + '/')};
const [dataDir] = process.argv.slice(2);
const { workspaces } = JSON.parse(readFileSync(repo + 'package.json', 'utf8'));
const alias = Object.fromEntries(workspaces.filter(p => p !== 'lab-extension').map(p => ['@jaxlab/' + p, repo + p + '/src/index.ts']));
const vite = await createServer({ configFile: false, root: repo, logLevel: 'error', appType: 'custom',
  resolve: { alias }, server: { middlewareMode: true, hmr: false, ws: false }, optimizeDeps: { noDiscovery: true, include: [] } });
const load = p => vite.ssrLoadModule(repo + p);
const { openStore } = await load('store/src/index.ts');
const { KernelManager, createKernelLauncher, EnvironmentBuilder, JobRunner } = await load('kernel-gateway/src/index.ts');
const python = ${JSON.stringify(PYTHON)};
const store = await openStore({ sqlite: { path: dataDir + '/jaxlab.db' } });
const kernels = new KernelManager({ launcher: createKernelLauncher(), dataDir, python });
const runner = new JobRunner({ queue: store.queue, events: store.events, series: store.series, hosts: store.hosts, kernels, envBuilder: new EnvironmentBuilder({ dataDir, python }),
  hostId: 'doomed-host', leaseMs: ${LEASE_MS}, accelerators: [{ kind: 'cpu', count: 1, deviceKind: 'cpu' }],
  log: line => console.log(line) });
await runner.start();
console.log('gateway ready');
`;

/** Host pids whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) {
      continue;
    }
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) {
        pids.push(Number(entry));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** cgroup folders (any hierarchy) named after a kernel of `kernelsDir`. */
function kernelCgroupDirs(kernelsDir: string): string[] {
  const ids = existsSync(kernelsDir) ? readdirSync(kernelsDir) : [];
  const dirs: string[] = [];
  for (const root of [
    '/sys/fs/cgroup',
    ...safeReaddir('/sys/fs/cgroup').map(n => `/sys/fs/cgroup/${n}`)
  ]) {
    for (const id of ids) {
      const dir = path.join(root, 'jaxlab', id);
      if (existsSync(path.join(dir, 'cgroup.procs'))) {
        dirs.push(dir);
      }
    }
  }
  return dirs;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

describe('JobRunner in a gateway killed mid-job', () => {
  let dataDir: string;
  let store: IStore;
  let gateway: ChildProcess | undefined;
  const leftoverCgroups: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync('/tmp/jl-hl-');
    chmodSync(dataDir, 0o755);
    store = await openStore({
      sqlite: { path: path.join(dataDir, 'jaxlab.db') }
    });
  });

  afterAll(async () => {
    gateway?.kill('SIGKILL');
    // What the next gateway on this data folder does first: reap what the
    // killed one left (processes, cgroups, kernel folders and their mounts).
    if (dataDir) {
      const next = new KernelManager({
        launcher: createKernelLauncher(),
        dataDir
      });
      await next.leftoversReaped;
      await next.dispose();
    }
    for (const dir of leftoverCgroups) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty or already gone: nothing this test may remove.
      }
    }
    await store?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should leave the job FAILED/HOST_LOST once the lease lapses, and no sandbox behind', async () => {
    const scriptPath = path.join(dataDir, 'gateway.mjs');
    writeFileSync(scriptPath, GATEWAY_SCRIPT);
    const output: string[] = [];
    gateway = spawn(process.execPath, [scriptPath, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe']
    });
    gateway.stdout!.on('data', chunk => output.push(String(chunk)));
    gateway.stderr!.on('data', chunk => output.push(String(chunk)));

    const submitted = await submitJob(store, { code: ENDLESS_PROGRAM });
    const running = await waitForStatus(
      store,
      submitted.id,
      ['RUNNING'],
      90_000
    ).catch(error => {
      throw new Error(`${String(error)}\ngateway output:\n${output.join('')}`);
    });
    expect(running.host).toBe('doomed-host');
    const kernelsDir = path.join(dataDir, 'kernels');
    expect(processesMentioning(kernelsDir).length).toBeGreaterThan(0);

    gateway.kill('SIGKILL');
    const killedAt = Date.now();

    // Any other gateway expires lapsed leases; here the test plays that part.
    let job = await store.jobs.get(submitted.id);
    while (job!.status === 'RUNNING' && Date.now() - killedAt < 15_000) {
      await store.queue.expireLapsedLeases();
      job = await store.jobs.get(submitted.id);
      await delay(100);
    }
    expect(job!.status).toBe('FAILED');
    expect(job!.failure!.reason).toBe('HOST_LOST');
    expect(job!.failure!.message).toBeTruthy();
    expect(job!.finishedAt).toBeTruthy();
    // Not before the lease could have lapsed (it was renewed every 500 ms).
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_MS - 600);

    // bwrap runs with --die-with-parent and the kernel is pid 1's child in
    // its own pid namespace: the whole sandbox dies with the gateway.
    let left = processesMentioning(kernelsDir);
    for (let i = 0; i < 30 && left.length > 0; i++) {
      await delay(100);
      left = processesMentioning(kernelsDir);
    }
    expect(left).toEqual([]);

    // The kernel's cgroups (when the sandbox uses them) hold no process
    // either; their empty folders stay until someone removes them.
    for (const dir of kernelCgroupDirs(kernelsDir)) {
      expect(readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').trim()).toBe(
        ''
      );
      leftoverCgroups.push(dir);
    }
  });
});
