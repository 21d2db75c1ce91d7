import { detectCgroupSupport } from './cgroup-support.js';
import type { CgroupMode } from './cgroup-support.js';
import { findExecutable } from './bubblewrap-launcher.js';
import { compileSeccompFilter } from './seccomp-filter.js';

/** What the sandbox enforces on this host, and by which mechanism. */
export interface ISandboxProbe {
  /** Path of bwrap, or undefined when missing (kernels cannot start). */
  bwrap: string | undefined;
  /** How memory and process limits are enforced. */
  cgroupMode: CgroupMode;
  /** Mechanism per limit, e.g. `{ memoryMaxBytes: 'cgroup v1 memory.limit_in_bytes' }`. */
  enforcement: Record<string, string>;
  /** One line for the gateway's startup log. */
  summary: string;
}

/**
 * Reports what the sandbox enforces where on this host (for the startup
 * line and docs). Creates the `jaxlab` cgroup parent folders it can.
 */
export async function probeSandbox(): Promise<ISandboxProbe> {
  const [bwrap, cgroups, seccomp, isRoot] = await Promise.all([
    findExecutable('bwrap'),
    detectCgroupSupport(),
    compileSeccompFilter(),
    Promise.resolve(process.getuid?.() === 0)
  ]);
  const mode = cgroups.mode;
  const enforcement: Record<string, string> = {
    isolation: bwrap
      ? 'bubblewrap: user, pid, net, ipc, uts, cgroup and mount namespaces; no nested user namespaces; uid 65534'
      : 'NONE (bwrap missing)',
    memoryMaxBytes:
      mode === 'v2'
        ? 'cgroup v2 memory.max, memory.swap.max=0'
        : mode === 'v1'
          ? 'cgroup v1 memory.limit_in_bytes (+memsw)'
          : 'RLIMIT_DATA per process',
    pidsMax:
      mode === 'v2'
        ? 'cgroup v2 pids.max'
        : mode === 'v1'
          ? 'cgroup v1 pids.max'
          : 'RLIMIT_NPROC (shared by all kernels of uid 65534)',
    teardown:
      mode === 'v2' || cgroups.parents.unified
        ? 'cgroup.kill, then PID namespace init'
        : cgroups.parents.freezer
          ? 'v1 freezer + SIGKILL, then PID namespace init'
          : 'PID namespace init (SIGKILL)',
    cpuWeight:
      mode === 'v1' && cgroups.parents.cpu
        ? 'cgroup v1 cpu.shares, cpu.cfs_quota_us'
        : mode === 'v2' && /cpu/.test(cgroups.reason)
          ? 'cgroup v2 cpu.weight, cpu.max'
          : 'NONE (no cpu controller): equal shares per process only',
    cpuTimeLimitS: 'RLIMIT_CPU (SIGXCPU, SIGKILL 5 s later)',
    wallClockLimitMs: 'gateway timer',
    fileSizeMaxBytes: 'RLIMIT_FSIZE',
    openFilesMax: 'RLIMIT_NOFILE',
    tmpSizeMaxBytes: 'tmpfs size= on /tmp and /dev/shm',
    diskMaxBytes: isRoot
      ? 'own tmpfs per kernel folder (size=, nr_inodes=), mounted by the gateway'
      : 'NONE (the gateway is not root and cannot mount a filesystem per kernel folder)',
    syscalls: seccomp.description
  };
  const summary = bwrap
    ? `sandbox: bubblewrap ${bwrap}; limits via ${cgroups.reason}`
    : 'sandbox: UNAVAILABLE (bubblewrap missing)';
  return { bwrap, cgroupMode: mode, enforcement, summary };
}
