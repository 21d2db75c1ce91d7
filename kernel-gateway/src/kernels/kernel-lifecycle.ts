import {
  DEFAULT_DESIGNATED_FUNCTIONS,
  JaxLabError,
  KERNEL_SPEC_NAME
} from '@jaxlab/schemas';

import { removeJobFolder } from '../sandbox/job-folder.js';
import type { IKernelLauncher } from '../sandbox/kernel-launcher.js';
import { makeKernelFolder, writeConnectionFile } from './kernel-folders.js';
import type { IKernelFolder } from './kernel-folders.js';
import type {
  IKernelManagerOptions,
  IShutdownKernelOptions,
  IStartKernelOptions
} from './kernel-manager-options.js';
import { KernelSession } from './kernel-session.js';
import type { LogSink } from '../log/gateway-log.js';

// How one kernel starts and stops; the KernelManager keeps the books
// (which kernels run, their memory, the pool).

/**
 * Refuses a start of another kernel spec than `jaxlab`, or past
 * `maxKernels` (unset or 0: no limit) with `running` kernels.
 *
 * @throws JaxLabError `NOT_FOUND`, `KERNEL_LIMIT_REACHED`.
 */
export function assertStartAllowed(
  options: IStartKernelOptions,
  running: number,
  maxKernels: number | undefined
): void {
  const name = options.name ?? KERNEL_SPEC_NAME;
  if (name !== KERNEL_SPEC_NAME) {
    throw new JaxLabError('NOT_FOUND', `No such kernel spec: ${name}`, {
      hint: `This gateway runs only the '${KERNEL_SPEC_NAME}' kernel.`
    });
  }
  if (maxKernels !== undefined && maxKernels > 0 && running >= maxKernels) {
    throw new JaxLabError(
      'KERNEL_LIMIT_REACHED',
      `A maximum of ${maxKernels} kernels are allowed`,
      {
        hint: 'Shut down a kernel you no longer use, then try again.'
      }
    );
  }
}

/** What {@link startKernelSession} needs besides the start request. */
export interface IKernelSessionStart {
  /** The new kernel's id (its memory is held already). */
  id: string;
  /** Where kernel folders live (`<dataDir>/kernels`). */
  kernelsDir: string;
  /** The manager's options: launcher, timeouts, replay and rate limits. */
  manager: IKernelManagerOptions;
  /** The session's log (the kernel's id among its fields) and events. */
  hooks: Pick<KernelSession.IOptions, 'log' | 'onEvent' | 'onClientShutdown'>;
  /** Called with the session before it starts (to list it at once). */
  onCreated: (session: KernelSession) => void;
  /** Called when the start failed, before the cleanup. */
  onFailed: () => void;
  /** Whether the manager was disposed meanwhile (the start then fails). */
  isDisposed: () => boolean;
  log: LogSink;
}

/**
 * Starts one kernel: makes its folder, writes its connection file and
 * files, launches it with the request's `KERNEL_*` environment and
 * designated functions, and waits until it is ready. A start that fails
 * leaves nothing behind (no process, no folder) and is logged.
 *
 * @throws JaxLabError `KERNEL_START_FAILED`, `SANDBOX_UNAVAILABLE`,
 *   `UNSAFE_PATH`.
 */
export async function startKernelSession(
  options: IStartKernelOptions,
  start: IKernelSessionStart
): Promise<KernelSession> {
  const { id, manager } = start;
  let folder: IKernelFolder;
  try {
    folder = await makeKernelFolder(
      start.kernelsDir,
      id,
      manager.launcher,
      options.limits
    );
  } catch (error) {
    start.onFailed();
    throw error;
  }
  const { jobDir, info } = folder;
  const session = new KernelSession({
    id,
    name: KERNEL_SPEC_NAME,
    jobDir,
    info,
    launcher: manager.launcher,
    launchOptions: launchOptionsOf(id, folder, options),
    startTimeoutMs: manager.startTimeoutMs ?? 60_000,
    heartbeatIntervalMs: manager.heartbeatIntervalMs,
    replay: manager.replay,
    iopubRateLimit: manager.iopubRateLimit,
    ...start.hooks
  });
  start.onCreated(session);
  try {
    await writeConnectionFile(folder, manager.launcher.jobDirInside);
    await session.writeFiles(options.files ?? {});
    await session.start();
    if (start.isDisposed())
      throw new JaxLabError(
        'KERNEL_START_FAILED',
        'The gateway is shutting down'
      );
  } catch (error) {
    start.onFailed();
    await session.shutdown().catch(() => undefined);
    await removeJobFolder(jobDir);
    start.log(`kernel ${id} failed to start: ${(error as Error).message}`, {
      event: 'kernel:start-failed',
      level: 'error',
      kernelId: id
    });
    throw error;
  }
  return session;
}

/**
 * Stops one kernel: shuts it down (see `KernelSession.shutdown`), calls
 * `release` (its memory is free), lets `beforeRemove` read the folder (no
 * process of the kernel is left to race it; its errors are logged) and
 * removes the folder.
 */
export async function stopKernelSession(
  kernel: KernelSession,
  options: IShutdownKernelOptions,
  release: () => void,
  log: LogSink
): Promise<void> {
  await kernel
    .shutdown(options)
    .catch(error => log(`kernel ${kernel.id}: shutdown: ${String(error)}`));
  release();
  await options
    .beforeRemove?.(kernel.jobDir)
    .catch(error =>
      log(`kernel ${kernel.id}: before removal: ${String(error)}`)
    );
  // Off the event loop: a folder may hold hundreds of thousands of files.
  await removeJobFolder(kernel.jobDir);
}

/**
 * What the launcher gets for a start request: only its `KERNEL_*`
 * environment, the designated functions (default: main, train_step) and
 * extra imports, its limits, requirements environment, devices, runtime
 * environment and writable binds.
 */
function launchOptionsOf(
  id: string,
  folder: IKernelFolder,
  options: IStartKernelOptions
): IKernelLauncher.ILaunchOptions {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (key.startsWith('KERNEL_') && typeof value === 'string')
      env[key] = value;
  }
  env.JAXLAB_DESIGNATED_FUNCTIONS = (
    options.designatedFunctions?.length
      ? options.designatedFunctions
      : DEFAULT_DESIGNATED_FUNCTIONS
  ).join(',');
  if (options.extraImports?.length)
    env.JAXLAB_EXTRA_IMPORTS = options.extraImports.join(',');
  return {
    kernelId: id,
    jobDir: folder.jobDir,
    connectionFile: folder.connectionFile,
    env,
    limits: options.limits,
    requirementsEnvDir: options.requirementsEnvDir,
    devices: options.devices,
    runtimeEnv: options.runtimeEnv,
    writableBinds: options.writableBinds
  };
}
