import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

import { JaxLabError, KERNEL_SPEC_NAME } from '@jaxlab/schemas';

import { removeJobFolder } from '../sandbox/job-folder.js';
import type { IKernelLauncher } from '../sandbox/kernel-launcher.js';
import type { IConnectionInfo } from '../wire/connection-info.js';
import { createConnectionInfo } from '../wire/connection-info.js';

// The kernel folders on disk, `<dataDir>/kernels/<kernelId>/`: made for a
// start, connected through their connection file, reaped when an earlier
// gateway left them behind.

/** Name of the connection file inside a kernel folder. */
export const CONNECTION_FILE_NAME = 'connection.json';

/** Kernel ids are UUIDs; only folders named like one are ever reaped. */
const KERNEL_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A kernel's new folder and how the gateway connects to the kernel in it. */
export interface IKernelFolder {
  /** The folder on the host. */
  jobDir: string;
  /** Connection info at the folder's host paths (the gateway's side). */
  info: IConnectionInfo;
  connectionFile: string;
}

/**
 * Makes the folder of kernel `id` under `kernelsDir` (0700; the
 * launcher's disk quota on it for `limits`) with its connection info.
 *
 * @throws JaxLabError `KERNEL_START_FAILED` (the folder is removed again).
 */
export async function makeKernelFolder(
  kernelsDir: string,
  id: string,
  launcher: IKernelLauncher,
  limits: Partial<IKernelLauncher.IResourceLimits> | undefined
): Promise<IKernelFolder> {
  const jobDir = path.join(kernelsDir, id);
  try {
    await fs.mkdir(kernelsDir, { recursive: true, mode: 0o755 });
    await fs.mkdir(jobDir, { mode: 0o700 });
    await launcher.prepareJobDir?.(jobDir, limits);
  } catch (error) {
    await removeJobFolder(jobDir);
    throw new JaxLabError(
      'KERNEL_START_FAILED',
      `Could not make the folder of kernel ${id} (with its disk quota): ${String(error)}`,
      {
        cause: error,
        hint: 'Check the gateway log; docs/sandbox.md lists what the sandbox needs.'
      }
    );
  }
  return {
    jobDir,
    info: createConnectionInfo(jobDir, KERNEL_SPEC_NAME),
    connectionFile: path.join(jobDir, CONNECTION_FILE_NAME)
  };
}

/**
 * Writes the folder's connection file (0600, never following a symlink)
 * as the kernel sees it: the kernel binds its sockets where it sees its
 * folder (`jobDirInside`, default the host path); the gateway connects to
 * the same files at their host paths.
 */
export async function writeConnectionFile(
  folder: IKernelFolder,
  jobDirInside: string | undefined
): Promise<void> {
  const { info } = folder;
  const inside = jobDirInside ?? folder.jobDir;
  const handle = await fs.open(
    folder.connectionFile,
    constants.O_WRONLY |
      constants.O_CREAT |
      constants.O_EXCL |
      constants.O_NOFOLLOW,
    0o600
  );
  try {
    await handle.writeFile(
      JSON.stringify(
        { ...info, ip: path.join(inside, path.basename(info.ip)) },
        null,
        2
      )
    );
  } finally {
    await handle.close();
  }
}

/**
 * Reaps what an earlier run left in `kernelsDir`: every kernel folder
 * (named by a kernel id) for which `isOwned` says no, its leftover
 * processes killed by the launcher, its cgroups and folder removed. Only
 * those ids are touched, so other gateways' kernels on the same host
 * (other data folders) are left alone. Resolves with the ids reaped.
 */
export async function reapLeftoverKernels(
  kernelsDir: string,
  options: {
    isOwned: (id: string) => boolean;
    launcher: IKernelLauncher;
    log: (line: string) => void;
  }
): Promise<string[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(kernelsDir);
  } catch {
    return []; // no kernels folder yet
  }
  const reaped: string[] = [];
  for (const id of entries) {
    if (!KERNEL_ID.test(id) || options.isOwned(id)) continue;
    const jobDir = path.join(kernelsDir, id);
    try {
      const stat = await fs.lstat(jobDir);
      if (!stat.isDirectory()) continue;
      const killed = (await options.launcher.reapLeftover?.(id, jobDir)) ?? 0;
      await removeJobFolder(jobDir);
      reaped.push(id);
      options.log(
        `kernel ${id} of an earlier run reaped (${killed} leftover process${killed === 1 ? '' : 'es'} killed, cgroups and folder removed)`
      );
    } catch (error) {
      options.log(
        `kernel ${id} of an earlier run could not be reaped: ${String(error)}`
      );
    }
  }
  return reaped;
}
