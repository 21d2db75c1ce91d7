import { promises as fs } from 'node:fs';
import os from 'node:os';

import type { IKernelProcess } from './kernel-launcher.js';

/**
 * Nice value of every thread of a kernel that floods its output, and of its
 * sandbox's session (autogroup). Linux keeps nice per thread, and it
 * decides among tasks of one CPU cgroup or autogroup: it is what counts
 * where kernels have no cpu controller of their own. Each sandbox is a
 * session of its own, so with autogroups (Linux's default) only the
 * autogroup's nice weighs it against other sandboxes and the gateway.
 */
export const FLOODING_NICE = 19;

/**
 * CPU weight (cgroup v2 scale; v1 cpu.shares 2) of a kernel that floods its
 * output: the lowest there is, so any other kernel that wants the CPU
 * gets it first.
 */
export const FLOODING_CPU_WEIGHT = 1;

/** Bit of CAP_SYS_NICE in /proc/<pid>/status CapEff. */
const CAP_SYS_NICE = 23n;

let canRestoreNice: Promise<boolean> | undefined;

/**
 * Whether this process may lower nice values again (CAP_SYS_NICE): without
 * it a thread's nice can be raised but never brought back.
 */
function mayRestoreNice(): Promise<boolean> {
  canRestoreNice ??= fs
    .readFile('/proc/self/status', 'utf8')
    .then(status => {
      const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
      return (
        hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_SYS_NICE) & 1n) === 1n
      );
    })
    .catch(() => false);
  return canRestoreNice;
}

/** `rootPid` and every process below it (from /proc's children lists). */
export async function processTree(rootPid: number): Promise<number[]> {
  const pids: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    pids.push(pid);
    for (const tid of await threadsOf(pid)) {
      const children = await fs
        .readFile(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .catch(() => '');
      for (const child of children.split(/\s+/).filter(Boolean)) {
        pending.push(Number(child));
      }
    }
  }
  return pids;
}

/**
 * Sets the nice value of every thread of `pids` and of their autogroups.
 * Processes and threads that are gone meanwhile are skipped, as are
 * autogroups where the kernel has none; a refusal (no right to lower a
 * nice value) is thrown.
 */
async function setNice(pids: number[], nice: number): Promise<void> {
  for (const pid of pids) {
    await fs
      .writeFile(`/proc/${pid}/autogroup`, String(nice))
      .catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT' && error.code !== 'ESRCH') throw error;
      });
    for (const tid of await threadsOf(pid)) {
      try {
        os.setPriority(tid, nice);
      } catch (error) {
        // os.setPriority throws ERR_SYSTEM_ERROR with the errno in `info`.
        const info = (error as { info?: { code?: string } }).info;
        if (info?.code !== 'ESRCH') throw error;
      }
    }
  }
}

async function threadsOf(pid: number): Promise<number[]> {
  const tids = await fs.readdir(`/proc/${pid}/task`).catch(() => []);
  return tids.map(Number);
}

/**
 * Gives every thread of `pids` the nice value of `priority`: FLOODING_NICE
 * for `low`, the gateway's own (what kernels start with) for `normal`. Does
 * nothing where nice values could not be restored afterwards.
 */
export async function setPriorityOfProcesses(
  pids: number[],
  priority: IKernelProcess.CpuPriority
): Promise<void> {
  if (!(await mayRestoreNice())) return;
  await setNice(pids, priority === 'low' ? FLOODING_NICE : os.getPriority());
}

/**
 * Default nice value of the gateway's session. Linux's autogroup scheduler
 * weighs each session as one group: at -10 the gateway's weighs about nine
 * times a session at 0, so it gets a CPU first when it wakes for a request.
 * Kernels run in sessions of their own (bubblewrap --new-session) at 0.
 */
export const GATEWAY_NICE = -10;

/**
 * Gives the gateway's session (autogroup) the nice value `nice`, so that it
 * ranks above every kernel it starts: the control plane answers while
 * kernels compete for the CPU. Only where the gateway leads its session (a
 * service, or started detached): in a shell's or a test runner's session
 * it would raise all of their processes too. Returns what was done, for
 * the log.
 */
export async function setGatewayPriority(nice: number): Promise<string> {
  const stat = await fs.readFile('/proc/self/stat', 'utf8').catch(() => '');
  const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  if (session !== process.pid) {
    return `its CPU priority is left as it is: it shares session ${session} with other processes (start it detached, or as a service, to rank it above its kernels)`;
  }
  if (nice < 0 && !(await mayRestoreNice())) {
    return `its CPU priority is left as it is: raising it needs CAP_SYS_NICE`;
  }
  try {
    await fs.writeFile('/proc/self/autogroup', String(nice));
  } catch (error) {
    return `could not set its session's nice value to ${nice}: ${(error as Error).message}`;
  }
  return `its session (autogroup) runs at nice ${nice}, above its kernels (each a session of its own at 0)`;
}
