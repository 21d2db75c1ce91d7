/**
 * Test helpers that look at the host's /proc for processes of a kernel's
 * sandbox: the ones in its cgroup (`.../jaxlab/<kernelId>`) and the ones
 * running as the sandbox uid in the kernel's folder or naming the kernel
 * in their environment; and the descendants of one sandboxed process.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { SANDBOX_ID } from '@jaxlab/kernel-gateway';

/** One host process: pid and start time (pids are reused, start times tell them apart). */
export interface IHostProcess {
  pid: number;
  start: string;
  comm: string;
}

function stat(
  pid: number
): { state: string; parent: number; start: string; comm: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    return {
      state: fields[0]!,
      parent: Number(fields[1]),
      start: fields[19]!,
      comm
    };
  } catch {
    return undefined;
  }
}

function isOfKernel(pid: number, kernelId: string, jobDir: string): boolean {
  try {
    const cgroups = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    if (cgroups.split('\n').some(line => line.endsWith(`/jaxlab/${kernelId}`)))
      return true;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    if (uid !== SANDBOX_ID) return false;
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    if (cwd === jobDir || cwd.startsWith(`${jobDir}/`)) return true;
    // Inside the sandbox the folder is /job: the environment names the kernel.
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .includes(`JAXLAB_KERNEL_ID=${kernelId}`);
  } catch {
    return false;
  }
}

/**
 * Live (not zombie) host processes of kernel `kernelId`'s sandbox: in its
 * cgroup, or running as uid 65534 inside `jobDir`.
 */
export function sandboxProcesses(
  kernelId: string,
  jobDir: string
): IHostProcess[] {
  const found: IHostProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!pid || !isOfKernel(pid, kernelId, jobDir)) continue;
    const info = stat(pid);
    if (info && info.state !== 'Z')
      found.push({ pid, start: info.start, comm: info.comm });
  }
  return found;
}

/** Whether `proc` (the same process, not a reused pid) still runs. */
export function isRunning(proc: IHostProcess): boolean {
  return isAlive(proc.pid, proc.start);
}

/** Whether process `pid` that started at `start` (not a reused pid) still runs. */
export function isAlive(pid: number, start: string): boolean {
  const info = stat(pid);
  return info !== undefined && info.start === start && info.state !== 'Z';
}

/** Host pid and start time of every process descending from `root`. */
export function descendants(root: number): Map<number, string> {
  const procs = new Map<number, { parent: number; start: string }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const info = pid ? stat(pid) : undefined;
    if (info) procs.set(pid, info);
  }
  const found = new Map<number, string>();
  for (const [pid, { start }] of procs) {
    for (
      let p: number | undefined = pid;
      p && p > 1;
      p = procs.get(p)?.parent
    ) {
      if (p === root) {
        found.set(pid, start);
        break;
      }
    }
  }
  return found;
}
