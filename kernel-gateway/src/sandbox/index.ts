import { labPaths } from '@jaxlab/paths';

import { BubblewrapLauncher } from './bubblewrap-launcher.js';
import type { IKernelLauncher } from './kernel-launcher.js';
import { UnsandboxedLauncher } from './unsandboxed-launcher.js';
import type { LogSink } from '../log/gateway-log.js';

export {
  BubblewrapLauncher,
  INSTALL_BWRAP_HINT
} from './bubblewrap-launcher.js';
export { UnsandboxedLauncher } from './unsandboxed-launcher.js';
export { GATEWAY_NICE, setGatewayPriority } from './cpu-priority.js';
export { SandboxedProcess } from './sandboxed-process.js';
export {
  jobFolderUsage,
  mountJobFolder,
  removeJobFolder
} from './job-folder.js';
export type { IJobFolderQuota, IJobFolderUsage } from './job-folder.js';
export { probeSandbox } from './probe-sandbox.js';
export { SECCOMP_PROFILE, compileSeccompFilter } from './seccomp-filter.js';
export type { ISeccompFilter } from './seccomp-filter.js';
export type { ISandboxProbe } from './probe-sandbox.js';
export {
  DEFAULT_RESOURCE_LIMITS,
  SANDBOX_ID,
  SANDBOX_JOB_DIR,
  SANDBOX_REQUIREMENTS_DIR,
  buildBwrapArgs,
  buildSandboxEnv
} from './sandbox-policy.js';
export { buildSandboxCommand } from './sandbox-command.js';
export type { ISandboxDevices, ISandboxPolicy } from './sandbox-policy.js';
export {
  acceleratorNodesOf,
  findAcceleratorNodes,
  selectAcceleratorNodes
} from './device-nodes.js';
export type {
  AcceleratorVendor,
  IAcceleratorNodes,
  IBind,
  IDeviceNodes,
  IDeviceSelection
} from './device-nodes.js';
export { detectCgroupSupport } from './cgroup-support.js';
export type { CgroupMode, ICgroupSupport } from './cgroup-support.js';
export type { IKernelLauncher, IKernelProcess } from './kernel-launcher.js';

/** Options of {@link createKernelLauncher}. */
export interface ICreateKernelLauncherOptions {
  /** Run kernels without any sandbox (prints a warning on every start). */
  unsafeNoSandbox?: boolean;
  /** Defaults for every kernel's limits. */
  limits?: Partial<IKernelLauncher.IResourceLimits>;
  /** Virtual environment holding the harness (default: the lab's, `labPaths().venvDir`). */
  venvDir?: string;
  /** Sink of one-line log messages. */
  log?: LogSink;
}

/**
 * The gateway's kernel launcher: bubblewrap by default; without bwrap,
 * every launch() throws `SANDBOX_UNAVAILABLE` unless `unsafeNoSandbox`.
 *
 * @example
 * ```ts
 * const launcher = createKernelLauncher({ log: console.log });
 * ```
 */
export function createKernelLauncher(
  options: ICreateKernelLauncherOptions = {}
): IKernelLauncher {
  const venvDir = options.venvDir ?? labPaths().venvDir;
  if (options.unsafeNoSandbox) {
    return new UnsandboxedLauncher({ venvDir, log: options.log });
  }
  // Without bwrap, launch() throws SANDBOX_UNAVAILABLE with the install hint.
  return new BubblewrapLauncher({
    venvDir,
    limits: options.limits,
    log: options.log
  });
}
