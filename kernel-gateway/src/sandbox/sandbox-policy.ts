import type { IBind } from './device-nodes.js';
import type { IKernelLauncher } from './kernel-launcher.js';

/**
 * Default limits of one kernel, sized for a 24 GiB, few-core host. Every
 * field can be overridden per launcher and per kernel.
 */
export const DEFAULT_RESOURCE_LIMITS: Readonly<IKernelLauncher.IResourceLimits> =
  Object.freeze({
    memoryMaxBytes: 4 * 1024 ** 3,
    pidsMax: 256,
    cpuTimeLimitS: 3600,
    wallClockLimitMs: 3600 * 1000,
    fileSizeMaxBytes: 1024 ** 3,
    openFilesMax: 1024,
    tmpSizeMaxBytes: 512 * 1024 ** 2,
    cpuWeight: 100,
    cpuMaxCores: 0,
    diskMaxBytes: 2 * 1024 ** 3,
    diskMaxFiles: 100_000
  });

/**
 * Where the kernel's folder appears inside the sandbox, whatever its host
 * path: tracebacks, `os.getcwd()` and HOME show nothing of the host.
 */
export const SANDBOX_JOB_DIR = '/job';

/** Where a job's requirements environment appears inside the sandbox. */
export const SANDBOX_REQUIREMENTS_DIR = '/requirements';

/**
 * The unprivileged id ("nobody") user code runs as.
 *
 * @internal The package entry exports it for the gateway's tests only.
 */
export const SANDBOX_ID = 65534;

/** Environment variables a kernel may see, besides `KERNEL_*`. */
export const PASSED_ENV_NAMES: readonly string[] = Object.freeze([
  'JAXLAB_KERNEL_ID',
  'JAXLAB_WORKDIR',
  'JAXLAB_DESIGNATED_FUNCTIONS',
  'JAXLAB_EXTRA_IMPORTS',
  'JAXLAB_REQUIREMENTS_ENV'
]);

/**
 * Everything that decides what a sandboxed program may see and do. A plain
 * value: {@link buildBwrapArgs} and {@link buildSandboxCommand} turn it into
 * argv without touching the file system.
 */
export interface ISandboxPolicy {
  /**
   * The kernel's folder on the host: the only writable path, seen inside
   * as {@link SANDBOX_JOB_DIR} (also HOME and cwd).
   */
  jobDir: string;
  /** The virtual environment, bound read-only at the same path. */
  venvDir: string;
  /** Prefix of the Python installation the venv is built on (read-only). */
  pythonHome: string;
  /** Read-only requirements environment of the job on the host, if any (seen as {@link SANDBOX_REQUIREMENTS_DIR}). */
  requirementsEnvDir?: string;
  /** The program and its arguments, as seen inside the sandbox. */
  argv: string[];
  /** Requested environment; only allow-listed names survive. */
  env?: Record<string, string>;
  /** Resource limits (all fields set). */
  limits: IKernelLauncher.IResourceLimits;
  /** uid/gid inside (and, when the gateway is root, outside) the sandbox. */
  uid: number;
  gid: number;
  /** Host system folders bound read-only; symlinks are recreated as links. */
  systemPaths: ISystemPath[];
  /** The accelerator devices of the kernel's slot; none: no device node. */
  devices?: ISandboxDevices;
  /**
   * Environment set by the gateway, never by the user (device selection,
   * XLA memory settings, the compile cache): applied after `env`.
   */
  runtimeEnv?: Record<string, string>;
  /** Host folders bound writable besides the job folder (the compile cache). */
  writableBinds?: IBind[];
}

/**
 * Accelerator device nodes passed into a sandbox: exactly `nodes` appear in
 * its /dev (besides bwrap's minimal null, zero, random, tty, ...), and what
 * the runtime reads besides is bound read-only.
 */
export interface ISandboxDevices {
  nodes: IBind[];
  readOnly: IBind[];
}

/** A system path and whether it is a symlink on the host (merged /usr). */
export interface ISystemPath {
  path: string;
  /** Target of the symlink, when `path` is one on the host. */
  symlinkTo?: string;
}

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

/** The default read-only system folders of a Debian-like host. */
export const DEFAULT_SYSTEM_PATHS: readonly string[] = Object.freeze([
  '/usr',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/bin',
  '/sbin',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/localtime',
  '/etc/alternatives'
]);

/**
 * The environment a sandboxed program gets: HOME, PATH, LANG and only the
 * allow-listed variables of `requested` (`KERNEL_*` and {@link PASSED_ENV_NAMES}),
 * then the gateway's own `runtimeEnv`. `jobDir` and `requirementsEnvDir` are
 * the paths as the program sees them.
 */
export function buildSandboxEnv(
  policy: Pick<
    ISandboxPolicy,
    'jobDir' | 'venvDir' | 'env' | 'requirementsEnvDir' | 'runtimeEnv'
  >
): Record<string, string> {
  const env: Record<string, string> = {
    HOME: policy.jobDir,
    PATH: `${policy.venvDir}/bin:/usr/local/bin:/usr/bin:/bin`,
    LANG: 'C.UTF-8',
    JAXLAB_WORKDIR: policy.jobDir
  };
  for (const [name, value] of Object.entries(policy.env ?? {})) {
    if (name.startsWith('KERNEL_') || PASSED_ENV_NAMES.includes(name)) {
      env[name] = value;
    }
  }
  if (policy.requirementsEnvDir) {
    env.JAXLAB_REQUIREMENTS_ENV = policy.requirementsEnvDir;
  }
  Object.assign(env, policy.runtimeEnv);
  return env;
}

/**
 * The bubblewrap arguments (without `bwrap` itself) for a policy: every
 * namespace unshared (no network), no nested user namespaces, a new
 * session, cleared environment, read-only system, Python and venv, private
 * size-limited /tmp and /dev/shm, only the job folder writable.
 *
 * @example
 * ```ts
 * const args = buildBwrapArgs(policy); // ['--unshare-all', ..., '--', python, '-I', ...]
 * ```
 */
export function buildBwrapArgs(
  policy: ISandboxPolicy,
  options: { infoFd?: number; seccompFd?: number } = {}
): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--new-session',
    '--die-with-parent',
    '--uid',
    String(policy.uid),
    '--gid',
    String(policy.gid),
    '--hostname',
    'jaxlab-sandbox',
    '--clearenv'
  ];
  const seenEnv = buildSandboxEnv({
    ...policy,
    jobDir: SANDBOX_JOB_DIR,
    requirementsEnvDir: policy.requirementsEnvDir
      ? SANDBOX_REQUIREMENTS_DIR
      : undefined
  });
  for (const [name, value] of Object.entries(seenEnv)) {
    args.push('--setenv', name, value);
  }
  for (const system of policy.systemPaths) {
    if (system.symlinkTo !== undefined) {
      args.push('--symlink', system.symlinkTo, system.path);
    } else {
      args.push('--ro-bind-try', system.path, system.path);
    }
  }
  args.push('--proc', '/proc', '--dev', '/dev');
  for (const node of policy.devices?.nodes ?? []) {
    args.push('--dev-bind', node.hostPath, node.path);
  }
  for (const readOnly of policy.devices?.readOnly ?? []) {
    args.push('--ro-bind', readOnly.hostPath, readOnly.path);
  }
  // --size applies to the next --tmpfs only (bwrap >= 0.8). The job folder
  // is bound after /tmp so that a job folder under /tmp stays reachable.
  const tmpSize = String(policy.limits.tmpSizeMaxBytes);
  args.push('--size', tmpSize, '--perms', '1777', '--tmpfs', '/tmp');
  args.push('--size', tmpSize, '--perms', '1777', '--tmpfs', '/dev/shm');
  // Bound after /tmp too, so that folders under /tmp (a Python, venv or
  // requirements environment there) are not hidden by it.
  args.push('--ro-bind', policy.pythonHome, policy.pythonHome);
  args.push('--ro-bind', policy.venvDir, policy.venvDir);
  if (policy.requirementsEnvDir) {
    args.push('--ro-bind', policy.requirementsEnvDir, SANDBOX_REQUIREMENTS_DIR);
  }
  for (const bind of policy.writableBinds ?? []) {
    args.push('--bind', bind.hostPath, bind.path);
  }
  args.push(
    '--bind',
    policy.jobDir,
    SANDBOX_JOB_DIR,
    '--chdir',
    SANDBOX_JOB_DIR
  );
  // bwrap's own root tmpfs (holding the mount points) would otherwise be
  // writable and unbounded; the remount is not recursive, so the job
  // folder and /tmp stay writable.
  args.push('--remount-ro', '/');
  if (options.infoFd !== undefined) {
    args.push('--info-fd', String(options.infoFd));
  }
  if (options.seccompFd !== undefined) {
    // Loaded into the program just before it starts (after bwrap's setup).
    args.push('--seccomp', String(options.seccompFd));
  }
  args.push('--', ...policy.argv);
  return args;
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
