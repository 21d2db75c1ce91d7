import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

import { JaxLabError } from '@jaxlab/schemas';

import { detectCgroupSupport } from './cgroup-support.js';
import type { ICgroupSupport } from './cgroup-support.js';
import {
  findExposures,
  readPythonHome,
  resolveSystemPaths
} from './host-paths.js';
import { mountJobFolder } from './job-folder.js';
import { KernelCgroup } from './kernel-cgroup.js';
import { reapLeftoverSandbox } from './leftover-sandbox.js';
import type { IKernelLauncher } from './kernel-launcher.js';
import {
  DEFAULT_RESOURCE_LIMITS,
  DEFAULT_SYSTEM_PATHS,
  SANDBOX_ID,
  SANDBOX_JOB_DIR
} from './sandbox-policy.js';
import type { ISandboxPolicy } from './sandbox-policy.js';
import { buildSandboxCommand } from './sandbox-command.js';
import { SandboxedProcess } from './sandboxed-process.js';
import { compileSeccompFilter } from './seccomp-filter.js';
import type { ISeccompFilter } from './seccomp-filter.js';
import type { LogSink } from '../log/gateway-log.js';

/** The hint of every SANDBOX_UNAVAILABLE error. */
export const INSTALL_BWRAP_HINT =
  "Install bubblewrap: apt-get install bubblewrap (or run with --unsafe-no-sandbox, which gives user code the gateway's own rights)";

/**
 * Starts kernels inside bubblewrap with cgroup (or rlimit) resource limits;
 * see docs/sandbox.md for what is enforced where.
 *
 * @example
 * ```ts
 * const launcher = new BubblewrapLauncher({ venvDir: '/work/main/.venv' });
 * const kernel = await launcher.launch({ kernelId, jobDir, connectionFile });
 * await kernel.dispose(); // no process of the kernel is left
 * ```
 */
export class BubblewrapLauncher implements IKernelLauncher {
  constructor(options: BubblewrapLauncher.IOptions) {
    this._options = options;
    this.limits = Object.freeze({
      ...DEFAULT_RESOURCE_LIMITS,
      ...options.limits
    });
  }

  /** The limits a kernel gets where its start asks for none. */
  readonly limits: Readonly<IKernelLauncher.IResourceLimits>;

  /** Kernels started here are confined. */
  readonly isSandboxed = true;

  /** Kernels see their folder at /job. */
  readonly jobDirInside = SANDBOX_JOB_DIR;

  /**
   * Starts the restricted kernel (`python -I -m jaxlab_harness -f <conn>`).
   *
   * @throws JaxLabError `SANDBOX_UNAVAILABLE` (no bwrap) or `KERNEL_START_FAILED`.
   */
  launch(options: IKernelLauncher.ILaunchOptions): Promise<SandboxedProcess> {
    return this.launchProgram({
      ...options,
      argv: [
        path.join(this._options.venvDir, 'bin', 'python'),
        '-I',
        '-m',
        'jaxlab_harness',
        '-f',
        path.posix.join(SANDBOX_JOB_DIR, path.basename(options.connectionFile))
      ]
    });
  }

  /**
   * Starts any program under the same policy as a kernel (used by tests
   * and tools). `connectionFile` is ignored.
   *
   * @throws JaxLabError `SANDBOX_UNAVAILABLE` or `KERNEL_START_FAILED`.
   */
  async launchProgram(
    options: Omit<IKernelLauncher.ILaunchOptions, 'connectionFile'> & {
      argv: string[];
    }
  ): Promise<SandboxedProcess> {
    const host = await this.hostInfo();
    const limits = {
      ...DEFAULT_RESOURCE_LIMITS,
      ...this._options.limits,
      ...options.limits
    };
    const jobDir = path.resolve(options.jobDir);
    const uid = host.isRoot ? SANDBOX_ID : process.getuid!();
    const gid = host.isRoot ? SANDBOX_ID : process.getgid!();
    const policy: ISandboxPolicy = {
      jobDir,
      venvDir: host.venvDir,
      pythonHome: host.pythonHome,
      requirementsEnvDir: options.requirementsEnvDir,
      argv: options.argv,
      env: { ...options.env, JAXLAB_KERNEL_ID: options.kernelId },
      limits,
      uid,
      gid,
      systemPaths: host.systemPaths,
      devices: options.devices,
      runtimeEnv: options.runtimeEnv,
      writableBinds: options.writableBinds
    };
    let cgroup: KernelCgroup | undefined;
    let spawned: ReturnType<typeof spawn> | undefined;
    try {
      if (host.isRoot) await chownTree(jobDir, uid, gid);
      const exposures = host.isRoot
        ? await findExposures(
            [
              { path: host.pythonHome, isWritable: false },
              { path: host.venvDir, isWritable: false },
              ...(options.requirementsEnvDir
                ? [{ path: options.requirementsEnvDir, isWritable: false }]
                : []),
              ...(options.writableBinds ?? []).map(bind => ({
                path: bind.hostPath,
                isWritable: true
              })),
              { path: jobDir, isWritable: true }
            ],
            uid,
            gid
          )
        : [];
      if (host.cgroups.mode !== 'rlimit') {
        cgroup = await KernelCgroup.create(
          host.cgroups,
          options.kernelId,
          limits
        );
      }
      const seccomp = host.seccomp.program;
      const command = buildSandboxCommand(policy, {
        isRoot: host.isRoot,
        exposures,
        isRlimitOnly: host.cgroups.mode === 'rlimit',
        infoFd: 4,
        seccompFd: seccomp ? 5 : undefined
      });
      const child = spawn(command.file, command.args, {
        stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
        env: {
          PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        },
        detached: true
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      spawned = child;
      // bwrap reads the filter until EOF (a few KiB: fits the pipe).
      const seccompPipe = (child.stdio as unknown[])[5] as Writable;
      seccompPipe.on('error', () => undefined);
      seccompPipe.end(seccomp);
      const sandboxed = new SandboxedProcess({
        child,
        cgroup,
        cpuWeight: limits.cpuWeight,
        wallClockLimitMs: limits.wallClockLimitMs,
        log: this._options.log
      });
      // Only now may the first process run on: every later one starts in
      // the cgroup (see WAIT_FOR_CGROUP_SCRIPT).
      if (cgroup) await cgroup.addProcess(child.pid!);
      (child.stdio[3] as Writable).end('\n');
      return sandboxed;
    } catch (error) {
      // Not yet released from the wait on fd 3: nothing ran past the shell.
      spawned?.kill('SIGKILL');
      await cgroup?.destroy().catch(() => undefined);
      throw new JaxLabError(
        'KERNEL_START_FAILED',
        `Could not start sandbox for kernel ${options.kernelId}: ${String(error)}`,
        {
          cause: error,
          hint: 'Check the gateway log; docs/sandbox.md lists what the sandbox needs.'
        }
      );
    }
  }

  /**
   * Mounts a size- and inode-limited tmpfs on `jobDir` (as root; a gateway
   * that is not root cannot, and its kernel folders have no quota).
   *
   * @throws Error when the mount fails.
   */
  async prepareJobDir(
    jobDir: string,
    limits: Partial<IKernelLauncher.IResourceLimits> = {}
  ): Promise<void> {
    const host = await this.hostInfo();
    if (!host.isRoot) return;
    const merged = {
      ...DEFAULT_RESOURCE_LIMITS,
      ...this._options.limits,
      ...limits
    };
    await mountJobFolder(
      path.resolve(jobDir),
      { maxBytes: merged.diskMaxBytes, maxFiles: merged.diskMaxFiles },
      { uid: SANDBOX_ID, gid: SANDBOX_ID }
    );
  }

  /**
   * Kills what kernel `kernelId` of an earlier gateway run left behind:
   * processes in its cgroups or running as the sandbox uid in `jobDir`,
   * then removes its cgroup folders.
   *
   * @throws Error when its processes cannot be killed.
   */
  async reapLeftover(kernelId: string, jobDir: string): Promise<number> {
    const cgroups =
      this._options.cgroups ??
      (await this.hostInfo().catch(() => undefined))?.cgroups;
    return reapLeftoverSandbox({
      kernelId,
      jobDir: path.resolve(jobDir),
      uid: process.getuid?.() === 0 ? SANDBOX_ID : process.getuid?.(),
      cgroups,
      log: this._options.log
    });
  }

  /**
   * What this launcher found on the host (bwrap, cgroups, Python). Cached.
   *
   * @throws JaxLabError `SANDBOX_UNAVAILABLE` when bwrap is not installed.
   */
  hostInfo(): Promise<BubblewrapLauncher.IHostInfo> {
    this._host ??= this._detectHost();
    this._host.catch(() => (this._host = undefined));
    return this._host;
  }

  private async _detectHost(): Promise<BubblewrapLauncher.IHostInfo> {
    const bwrap = await findExecutable(this._options.bwrapName ?? 'bwrap');
    if (!bwrap) {
      throw new JaxLabError(
        'SANDBOX_UNAVAILABLE',
        'bubblewrap (bwrap) is not installed, so kernels cannot be sandboxed',
        { hint: INSTALL_BWRAP_HINT }
      );
    }
    const venvDir = await fs.realpath(this._options.venvDir);
    const [pythonHome, systemPaths, cgroups, seccomp] = await Promise.all([
      readPythonHome(venvDir),
      resolveSystemPaths(DEFAULT_SYSTEM_PATHS),
      this._options.cgroups
        ? Promise.resolve(this._options.cgroups)
        : detectCgroupSupport(),
      this._options.isSeccompOff
        ? Promise.resolve({
            program: undefined,
            description: 'NO seccomp filter (turned off by the launcher option)'
          })
        : compileSeccompFilter()
    ]);
    this._options.log?.(`sandbox: ${seccomp.description}`, {
      event: 'sandbox:seccomp',
      level: seccomp.program ? 'info' : 'warn'
    });
    return {
      bwrap,
      venvDir,
      pythonHome,
      systemPaths,
      cgroups,
      seccomp,
      isRoot: process.getuid?.() === 0
    };
  }

  private readonly _options: BubblewrapLauncher.IOptions;
  private _host: Promise<BubblewrapLauncher.IHostInfo> | undefined;
}

export namespace BubblewrapLauncher {
  /** Options of {@link BubblewrapLauncher}. */
  export interface IOptions {
    /** Virtual environment with the harness (bound read-only). */
    venvDir: string;
    /** Defaults for every kernel's limits. */
    limits?: Partial<IKernelLauncher.IResourceLimits>;
    /** Overrides cgroup detection (tests force 'rlimit' this way). */
    cgroups?: ICgroupSupport;
    /** Sink of one-line log messages. */
    log?: LogSink;
    /** Executable name looked up on PATH; default `bwrap`. */
    bwrapName?: string;
    /** Start kernels without the seccomp filter (benchmarks compare; never in production). */
    isSeccompOff?: boolean;
  }

  /** What the launcher found on the host. */
  export interface IHostInfo {
    bwrap: string;
    venvDir: string;
    pythonHome: string;
    systemPaths: ISandboxPolicy['systemPaths'];
    cgroups: ICgroupSupport;
    /** The system-call filter every kernel gets, if it could be built. */
    seccomp: ISeccompFilter;
    isRoot: boolean;
  }
}

/** Absolute path of `name` on the gateway's PATH (plus sbin folders). */
export async function findExecutable(
  name: string
): Promise<string | undefined> {
  const dirs = [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/local/bin',
    '/usr/bin',
    '/bin'
  ].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * Gives the job folder and everything in it (the project's files, nested
 * folders included) to the sandbox id, without following symlinks, so the
 * unprivileged kernel can read its connection file and write in its
 * folder. Runs before the kernel starts, when only the gateway wrote there.
 */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.lchown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await fs.lchown(child, uid, gid);
  }
}
