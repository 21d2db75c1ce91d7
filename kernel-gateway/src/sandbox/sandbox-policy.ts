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
 * value: {@link buildBwrapArgs} (and `buildSandboxCommand` of
 * sandbox-command.ts) turn it into argv without touching the file system.
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
