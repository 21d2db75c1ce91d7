import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ICgroupParents, ICgroupSupport } from './cgroup-support.js';
import { parseCgroupMounts, parseProcCgroup } from './cgroup-support.js';
import { KernelCgroup } from './kernel-cgroup.js';
import type { LogSink } from '../log/gateway-log.js';

/** How {@link reapLeftoverSandbox} recognises the processes of a leftover kernel. */
export interface ILeftoverMatch {
  /** The kernel's id: its cgroups are `.../jaxlab/<kernelId>`. */
  kernelId: string;
  /** The kernel's folder: its processes run there. */
  jobDir: string;
  /**
   * Uid of the kernel's processes (65534 when sandboxed). Processes of this
   * uid whose working folder is inside `jobDir` count as the kernel's too;
   * unset: only processes whose environment names `jobDir` as
   * `JAXLAB_WORKDIR` do (unsandboxed kernels run as the gateway's uid).
   */
  uid?: number;
  /** The host's cgroup layout, when cgroups are used. */
  cgroups?: ICgroupSupport;
  log?: LogSink;
}

/**
 * Kills every process a kernel of an earlier gateway run left behind
 * (one SIGKILLed before it could tear its kernels down) and removes the
 * kernel's cgroup folders: processes in its cgroups (killed atomically
 * through `cgroup.kill` or the freezer) and processes running in its
 * folder. Resolves with the number of processes found.
 *
 * @throws Error when processes are still there after `timeoutMs`.
 */
export async function reapLeftoverSandbox(
  match: ILeftoverMatch,
  timeoutMs = 10_000
): Promise<number> {
  const first = await leftoverProcesses(match);
  const learned = await cgroupDirsOf(
    first.map(p => p.pid),
    match.kernelId
  );
  const cgroup = match.cgroups
    ? await KernelCgroup.existing(match.cgroups, match.kernelId, learned)
    : undefined;
  const deadline = Date.now() + timeoutMs;
  // The cgroup first: atomic, so forks in flight cannot escape.
  if (cgroup) await cgroup.killAll(timeoutMs);
  for (
    let left = await leftoverProcesses(match);
    left.length > 0;
    left = await leftoverProcesses(match)
  ) {
    if (Date.now() > deadline) {
      throw new Error(
        `Processes of leftover kernel ${match.kernelId} survive: ${left.map(p => p.pid).join(', ')}`
      );
    }
    for (const { pid } of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await sleep(20);
  }
  if (cgroup) await cgroup.destroy();
  if (first.length > 0) {
    match.log?.(
      `killed ${first.length} leftover processes of kernel ${match.kernelId}`
    );
  }
  return first.length;
}

interface IHostProcess {
  pid: number;
}

/** Live processes of the leftover kernel, by cgroup, uid and folder, or environment. */
async function leftoverProcesses(
  match: ILeftoverMatch
): Promise<IHostProcess[]> {
  const suffix = `/jaxlab/${match.kernelId}`;
  const inside = (dir: string): boolean =>
    dir === match.jobDir || dir.startsWith(`${match.jobDir}/`);
  const found: IHostProcess[] = [];
  for (const entry of await fs.readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    const proc = `/proc/${pid}`;
    try {
      const stat = await fs.readFile(`${proc}/stat`, 'utf8');
      if (
        stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
      )
        continue;
      const cgroups = await fs.readFile(`${proc}/cgroup`, 'utf8');
      if (cgroups.split('\n').some(line => line.endsWith(suffix))) {
        found.push({ pid });
        continue;
      }
      const cwd = await fs.readlink(`${proc}/cwd`).catch(() => '');
      if (match.uid !== undefined) {
        // A sandboxed kernel works in /job, which says nothing of which
        // kernel it is: its environment names it.
        const isOurs =
          inside(cwd) ||
          (await fs.readFile(`${proc}/environ`, 'utf8').catch(() => ''))
            .split('\0')
            .includes(`JAXLAB_KERNEL_ID=${match.kernelId}`);
        if (!isOurs) continue;
        const status = await fs.readFile(`${proc}/status`, 'utf8');
        if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === match.uid)
          found.push({ pid });
      } else {
        if (!inside(cwd)) continue;
        const environ = await fs.readFile(`${proc}/environ`, 'utf8');
        if (environ.split('\0').includes(`JAXLAB_WORKDIR=${match.jobDir}`))
          found.push({ pid });
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * The kernel's cgroup folders as the leftover processes see them (they
 * may lie under another parent than this gateway's, e.g. a memory cgroup
 * of an earlier run).
 */
async function cgroupDirsOf(
  pids: number[],
  kernelId: string
): Promise<Partial<ICgroupParents>> {
  const dirs: Partial<ICgroupParents> = {};
  if (pids.length === 0) return dirs;
  const mounts = parseCgroupMounts(
    await fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => '')
  );
  for (const pid of pids) {
    const text = await fs
      .readFile(`/proc/${pid}/cgroup`, 'utf8')
      .catch(() => '');
    for (const [key, cgroupPath] of parseProcCgroup(text)) {
      if (!cgroupPath.endsWith(`/jaxlab/${kernelId}`)) continue;
      const mount = mounts.find(m =>
        key === ''
          ? m.kind === 'cgroup2'
          : Array.isArray(m.kind) &&
            key.split(',').some(c => (m.kind as string[]).includes(c))
      );
      if (!mount) continue;
      const dir = path.join(mount.mountPoint, cgroupPath);
      if (key === '') dirs.unified ??= dir;
      for (const controller of ['memory', 'pids', 'freezer'] as const) {
        if (key.split(',').includes(controller)) dirs[controller] ??= dir;
      }
    }
  }
  return dirs;
}
