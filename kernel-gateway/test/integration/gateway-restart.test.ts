/**
 * Restart hygiene: a gateway killed with SIGKILL cannot tear its kernels
 * down, so their folders and cgroups (and any process that outlived it)
 * stay behind. The next KernelManager over the same data folder reaps
 * exactly those, and nothing of other gateways.
 *
 * The killed gateway is the real `jaxlab-gateway` command (kernel-gateway/lib,
 * built by the test command's bootstrap).
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync
} from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startGatewayProcess, until } from './gateway-process.js';
import { sandboxProcesses } from './sandbox-processes.js';
import { labPaths } from '@jaxlab/paths';
import { BubblewrapLauncher, KernelManager } from '@jaxlab/kernel-gateway';
import type { SandboxedProcess } from '@jaxlab/kernel-gateway';

describe('KernelManager after a SIGKILLed gateway', () => {
  const launcher = new BubblewrapLauncher({ venvDir: labPaths().venvDir });
  let dataDir: string;
  let otherDataDir: string;
  let child: ChildProcess | undefined;
  let survivor: SandboxedProcess | undefined;
  const managers: KernelManager[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync('/tmp/jl-rs-');
    otherDataDir = mkdtempSync('/tmp/jl-ro-');
    chmodSync(dataDir, 0o755);
    chmodSync(otherDataDir, 0o755);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.dispose();
    for (const manager of managers) await manager.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(otherDataDir, { recursive: true, force: true });
  });

  it('should reap leftover kernels of its data folder (processes, cgroups, folders) and nothing else', async () => {
    const { cgroups } = await launcher.hostInfo();
    const cgroupDirs = (id: string): string[] =>
      Object.values(cgroups.parents)
        .filter((parent): parent is string => Boolean(parent))
        .map(parent => path.join(parent, id));

    // 1. A real gateway starts a kernel, then dies by SIGKILL.
    const token = randomUUID();
    const started = await startGatewayProcess(dataDir, token);
    child = started.child;
    const res = await fetch(`${started.baseUrl}/api/kernels`, {
      method: 'POST',
      headers: {
        Authorization: `token ${token}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({
        name: 'jaxlab',
        files: { 'main.py': 'def main():\n    return 1\n' }
      })
    });
    expect(res.status).toBe(201);
    const killedId = ((await res.json()) as { id: string }).id;
    const killedDir = path.join(dataDir, 'kernels', killedId);
    expect(sandboxProcesses(killedId, killedDir).length).toBeGreaterThan(0);
    const exited = new Promise(resolve => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    child = undefined;
    // bwrap's --die-with-parent ends the kernel itself; its folder and cgroups stay.
    await until(() => sandboxProcesses(killedId, killedDir).length === 0, 5000);
    expect(existsSync(killedDir)).toBe(true);
    const leftCgroups = cgroupDirs(killedId).filter(dir => existsSync(dir));
    if (cgroups.mode !== 'rlimit')
      expect(leftCgroups.length).toBeGreaterThan(0);

    // 2. A leftover whose process still runs in its cgroup (as a daemon would).
    const aliveId = randomUUID();
    const aliveDir = path.join(dataDir, 'kernels', aliveId);
    mkdirSync(aliveDir, { mode: 0o700 });
    survivor = await launcher.launchProgram({
      kernelId: aliveId,
      jobDir: aliveDir,
      argv: [labPaths().python, '-I', '-c', 'import time; time.sleep(600)']
    });
    expect(
      await until(() => sandboxProcesses(aliveId, aliveDir).length >= 2, 10_000)
    ).toBe(true);

    // 3. Not ours: a folder that is no kernel id, and a live kernel of another data folder.
    const notes = path.join(dataDir, 'kernels', 'notes');
    mkdirSync(notes);
    const other = new KernelManager({ launcher, dataDir: otherDataDir });
    managers.push(other);
    const otherKernel = await other.startKernel({
      files: { 'main.py': 'def main():\n    print("still here")\n' }
    });

    // 4. The next manager over the same data folder reaps the leftovers.
    const log: string[] = [];
    const next = new KernelManager({
      launcher,
      dataDir,
      log: line => log.push(line)
    });
    managers.push(next);
    expect((await next.leftoversReaped).sort()).toEqual(
      [aliveId, killedId].sort()
    );
    for (const [id, dir] of [
      [killedId, killedDir],
      [aliveId, aliveDir]
    ] as const) {
      expect(existsSync(dir)).toBe(false);
      expect(cgroupDirs(id).filter(d => existsSync(d))).toEqual([]);
      expect(sandboxProcesses(id, dir)).toEqual([]);
    }
    expect(
      (await survivor.exited).signal ?? (await survivor.exited).code
    ).toBeTruthy();
    expect(
      log.some(l => l.includes(`kernel ${aliveId} of an earlier run reaped`))
    ).toBe(true);
    expect(readdirSync(path.join(dataDir, 'kernels'))).toEqual(['notes']);

    // The other gateway's kernel was not touched; the new manager works.
    const seen: string[] = [];
    const reply = await otherKernel.execute('main()', {
      onIOPub: msg => {
        if (msg.header.msg_type === 'stream') {
          seen.push((msg.content as { text: string }).text);
        }
      }
    });
    expect(reply.status).toBe('ok');
    expect(seen.join('')).toContain('still here');
    const fresh = await next.startKernel();
    expect(next.list().map(k => k.id)).toEqual([fresh.id]);
  });
});
