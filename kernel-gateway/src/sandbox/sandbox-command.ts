import type { IKernelLauncher } from './kernel-launcher.js';
import { buildBwrapArgs } from './sandbox-policy.js';
import type { ISandboxPolicy } from './sandbox-policy.js';

// The command chain around bwrap (cgroup wait, root's exposures and drop to
// the sandbox id, prlimit): how a policy is started, apart from what it
// allows (sandbox-policy.ts).

/** How the launcher wraps bwrap; decided by the launcher from the host. */
export interface ISandboxCommandOptions {
  /**
   * Whether the gateway runs as root: then it drops to `policy.uid` with
   * `setpriv` before bwrap, so bwrap builds an unprivileged user namespace
   * whose ids map to the unprivileged id on the host too.
   */
  isRoot: boolean;
  /**
   * Folders bwrap must bind but that the unprivileged id cannot reach
   * because an ancestor is not searchable (e.g. a pyenv under a 0700
   * /root). Each `blocker` (that ancestor) is covered by an empty tmpfs in
   * a private mount namespace and `path` is bound back onto it. Root only.
   */
  exposures?: IExposure[];
  /** Also set RLIMIT_DATA and RLIMIT_NPROC (when no cgroup enforces them). */
  isRlimitOnly: boolean;
  /** File descriptor bwrap writes its `child-pid` JSON to. */
  infoFd?: number;
  /** File descriptor bwrap reads the seccomp BPF program from, if any. */
  seccompFd?: number;
}

/** A path to expose past a non-searchable ancestor; see ISandboxCommandOptions. */
export interface IExposure {
  path: string;
  blocker: string;
  isWritable: boolean;
}

/**
 * util-linux `prlimit` arguments (without `prlimit`, ending in `--`) for
 * the limits the kernel enforces per process: CPU seconds (SIGXCPU, then
 * SIGKILL 5 s later), file size, open files, no core dumps; with
 * `isRlimitOnly` also data segment (never address space: GPU and TPU
 * runtimes reserve huge virtual ranges) and processes of the sandbox uid.
 */
export function buildPrlimitArgs(
  limits: IKernelLauncher.IResourceLimits,
  isRlimitOnly: boolean
): string[] {
  const cpu = Math.max(1, Math.ceil(limits.cpuTimeLimitS));
  const args = [
    `--cpu=${cpu}:${cpu + 5}`,
    `--fsize=${limits.fileSizeMaxBytes}`,
    `--nofile=${limits.openFilesMax}`,
    '--core=0'
  ];
  if (isRlimitOnly) {
    args.push(`--data=${limits.memoryMaxBytes}`, `--nproc=${limits.pidsMax}`);
  }
  args.push('--');
  return args;
}

/**
 * The script (run by root in a private mount namespace) that makes each
 * exposure reachable for the unprivileged id: open the path while still
 * reachable, cover its blocker with an empty tmpfs, bind the open folder
 * back by `/proc/self/fd` (not canonicalised, so the kernel follows the
 * descriptor rather than the now-hidden path), then exec the rest.
 */
export function buildExposeScript(exposures: IExposure[]): string {
  if (exposures.length > 5) {
    throw new RangeError('At most 5 exposed paths are supported');
  }
  const lines = ['set -e'];
  exposures.forEach((exposure, i) => {
    lines.push(`exec ${FIRST_EXPOSE_FD + i}<${shellQuote(exposure.path)}`);
  });
  const blockers = [...new Set(exposures.map(e => e.blocker))].sort(
    (a, b) => a.length - b.length
  );
  for (const blocker of blockers) {
    lines.push(
      `mount -t tmpfs -o mode=0755,size=1m,nosuid,nodev jaxlab-expose ${shellQuote(blocker)}`
    );
  }
  exposures.forEach((exposure, i) => {
    const target = shellQuote(exposure.path);
    const ro = exposure.isWritable ? '' : ' -o ro';
    lines.push(`mkdir -p ${target}`);
    lines.push(
      `mount --no-canonicalize --bind${ro} /proc/self/fd/${FIRST_EXPOSE_FD + i} ${target}`
    );
  });
  if (exposures.length > 0) {
    lines.push(
      `exec ${exposures.map((_, i) => `${FIRST_EXPOSE_FD + i}<&-`).join(' ')}`
    );
  }
  lines.push('exec "$@"');
  return lines.join('\n');
}

/** First descriptor the expose script opens its folders on (after stdio, 3, 4 and 5). */
const FIRST_EXPOSE_FD = 6;

/**
 * Script of the outermost shell (bash): block until the gateway has put
 * this very process into the kernel's cgroup (it writes a line on fd 3), so
 * that every later process starts inside it; close every descriptor the
 * gateway itself may have inherited (bwrap passes them on), keeping only
 * stdio, bwrap's info fd 4 and its seccomp fd 5; then exec the sandbox
 * chain.
 */
export const WAIT_FOR_CGROUP_SCRIPT = [
  'read -r _ <&3 || exit 125',
  'exec 3<&-',
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; case $fd in 0|1|2|4|5) ;; *) { exec {fd}>&-; } 2>/dev/null ;; esac; done',
  'exec "$@"'
].join('; ');

/**
 * The whole command that starts a sandboxed program: `bash` waiting for the
 * cgroup placement, then (root only) `unshare --mount` with the expose
 * script and `setpriv` to the unprivileged id, then `prlimit`, then
 * `bwrap`. Every step `exec`s, so the spawned pid is bwrap's pid.
 */
export function buildSandboxCommand(
  policy: ISandboxPolicy,
  options: ISandboxCommandOptions
): { file: string; args: string[] } {
  const chain: string[] = [];
  const exposures = options.isRoot ? (options.exposures ?? []) : [];
  if (exposures.length > 0) {
    chain.push(
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      buildExposeScript(exposures),
      'jaxlab-expose'
    );
  }
  if (options.isRoot) {
    chain.push(
      'setpriv',
      `--reuid=${policy.uid}`,
      `--regid=${policy.gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--'
    );
  }
  chain.push(
    'prlimit',
    ...buildPrlimitArgs(policy.limits, options.isRlimitOnly)
  );
  chain.push(
    'bwrap',
    ...buildBwrapArgs(policy, {
      infoFd: options.infoFd,
      seccompFd: options.seccompFd
    })
  );
  return {
    file: '/bin/bash',
    args: ['-c', WAIT_FOR_CGROUP_SCRIPT, 'jaxlab-sandbox', ...chain]
  };
}

/** Quotes one word for POSIX sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
