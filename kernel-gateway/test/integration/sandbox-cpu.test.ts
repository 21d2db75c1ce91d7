import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { SANDBOX_JOB_DIR } from '@jaxlab/kernel-gateway';
import type { SandboxedProcess } from '@jaxlab/kernel-gateway';

import {
  launcher,
  rlimitLauncher,
  run,
  start,
  useJobFolders
} from './sandbox-runs.js';
import { descendants, isAlive } from './sandbox-processes.js';

useJobFolders();

describe('BubblewrapLauncher CPU share (cgroups)', () => {
  // Spins `procs` processes for `secs` seconds and prints the CPU seconds they used.
  const spinner = (procs: number, secs: number): string => `
import os, time
start = time.time()
children = []
for _ in range(${procs} - 1):
    pid = os.fork()
    if pid == 0:
        while time.time() - start < ${secs}: pass
        os._exit(0)
    children.append(pid)
while time.time() - start < ${secs}: pass
for pid in children: os.waitpid(pid, 0)
t = os.times()
print(t.user + t.system + t.children_user + t.children_system)
`;

  it('should share the CPU between busy kernels by their weights (cpuWeight)', async () => {
    // Both want two cores; the heavy one weighs four times the light one.
    const [heavy, light] = await Promise.all([
      start(spinner(2, 4), { limits: { cpuWeight: 400 } }),
      start(spinner(2, 4), { limits: { cpuWeight: 100 } })
    ]);
    await Promise.all([heavy.proc.exited, light.proc.exited]);
    const heavyCpuS = Number(heavy.output().stdout);
    const lightCpuS = Number(light.output().stdout);
    expect(lightCpuS).toBeGreaterThan(0);
    // 1:4 by weight when both compete for the same cores; 1:1 without.
    expect(lightCpuS / heavyCpuS).toBeLessThan(0.5);
  });

  it('should hold a kernel to its CPU quota (cpuMaxCores)', async () => {
    const result = await run(spinner(2, 3), {
      limits: { cpuMaxCores: 0.25 }
    });
    // 0.25 cores for 3 s is 0.75 CPU seconds (plus a period of slack).
    expect(Number(result.stdout)).toBeLessThan(0.9);
  });
});

// Says ready, waits for /job/go, then spins on the first CPU for \`secs\` seconds and
// prints the CPU seconds it used: kernels started with it compete for one
// CPU, whatever the host's other work.
const SPIN_AFTER_GO = (secs: number): string => `
import os, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
print('ready', flush=True)
while not os.path.exists('${SANDBOX_JOB_DIR}/go'): time.sleep(0.02)
start = time.time()
while time.time() - start < ${secs}: pass
t = os.times()
print(t.user + t.system)
`;

for (const [name, on] of [
  ['cgroups', launcher],
  ['rlimits only', rlimitLauncher]
] as const) {
  describe(`SandboxedProcess.setCpuPriority() (${name})`, () => {
    /** CPU seconds of two kernels spinning side by side after `prepare(first)`. */
    async function contend(
      prepare: (first: SandboxedProcess) => Promise<void>
    ): Promise<[number, number]> {
      const pair = await Promise.all([
        start(SPIN_AFTER_GO(3), { on }),
        start(SPIN_AFTER_GO(3), { on })
      ]);
      // The sandbox's own session (autogroup) exists once its program runs.
      for (const { output } of pair) {
        const t0 = Date.now();
        while (!output().stdout.includes('ready') && Date.now() - t0 < 20_000) {
          await new Promise(resolve => setTimeout(resolve, 20));
        }
      }
      await prepare(pair[0].proc);
      for (const { jobDir } of pair) {
        await fs.writeFile(path.join(jobDir, 'go'), '');
      }
      await Promise.all(pair.map(({ proc }) => proc.exited));
      const [first, second] = pair.map(({ output }) =>
        Number(output().stdout.replace('ready', ''))
      );
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThan(0);
      return [first!, second!];
    }

    it('should let a kernel at low priority take little of a contended CPU', async () => {
      const [low, normal] = await contend(proc => proc.setCpuPriority('low'));
      // Equal shares without it; a weight of 1 (nice 19) against 100 (nice 0).
      expect(low / normal, `${low} / ${normal} CPU seconds`).toBeLessThan(0.25);
    });

    it('should give a kernel its share back at normal priority', async () => {
      const [restored, normal] = await contend(async proc => {
        await proc.setCpuPriority('low');
        await proc.setCpuPriority('normal');
      });
      expect(
        restored / normal,
        `${restored} / ${normal} CPU seconds`
      ).toBeGreaterThan(0.5);
    });
  });
}

const DAEMON = `
import os, signal, time, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True: time.sleep(1)
    os._exit(0)
print('ready', flush=True)
while True: time.sleep(1)
`;

for (const [name, on] of [
  ['cgroups', launcher],
  ['rlimits only', rlimitLauncher]
] as const) {
  describe(`SandboxedProcess.dispose() (${name})`, () => {
    it('should leave no process behind: double-fork daemons and SIGTERM-ignorers die', async () => {
      const started = await start(DAEMON, { on });
      const t0 = Date.now();
      while (
        !started.output().stdout.includes('ready') &&
        Date.now() - t0 < 20_000
      ) {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      await new Promise(resolve => setTimeout(resolve, 300));
      const before = descendants(started.proc.pid);
      // bwrap's init, the program and the daemon at least
      expect(before.size).toBeGreaterThanOrEqual(3);
      await started.proc.dispose();
      for (const [pid, startTime] of before) {
        expect(
          isAlive(pid, startTime)
            ? `${pid} ${readFileSync(`/proc/${pid}/stat`, 'utf8')}`
            : false
        ).toBe(false);
      }
      // idempotent
      await started.proc.dispose();
    });
  });
}
