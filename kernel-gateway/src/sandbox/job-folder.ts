import { execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Command paths: the gateway's PATH may lack the sbin folders. */
const ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
};

/** The size limits of a job folder's own filesystem. */
export interface IJobFolderQuota {
  /** Bytes the folder may hold (file data). */
  maxBytes: number;
  /** Files and folders it may hold (inodes). */
  maxFiles: number;
}

/** How full a job folder's filesystem is. */
export interface IJobFolderUsage extends IJobFolderQuota {
  usedBytes: number;
  usedFiles: number;
  /** No byte or no inode left: the next write or new file fails. */
  isFull: boolean;
}

/**
 * Gives the empty folder `dir` a filesystem of its own, limited to
 * `quota`: a tmpfs mounted on it (`size=`, `nr_inodes=`, mode 0700, owned
 * by `uid`/`gid`). Its pages count against the memory limit of the
 * kernel that writes them, the host's disk is never touched, and removing
 * it is one unmount. Needs root.
 *
 * @throws Error when the mount fails.
 */
export async function mountJobFolder(
  dir: string,
  quota: IJobFolderQuota,
  owner: { uid: number; gid: number }
): Promise<void> {
  const options = [
    `size=${Math.max(4096, Math.floor(quota.maxBytes))}`,
    // The folder itself is one inode.
    `nr_inodes=${Math.max(2, Math.floor(quota.maxFiles) + 1)}`,
    'mode=0700',
    `uid=${owner.uid}`,
    `gid=${owner.gid}`,
    'nosuid',
    'nodev'
  ].join(',');
  await execFileAsync(
    'mount',
    ['-t', 'tmpfs', '-o', options, 'jaxlab-job', dir],
    {
      env: ENV
    }
  );
}

/**
 * Usage of a job folder mounted by {@link mountJobFolder}; undefined when
 * `dir` is not such a mount (no quota there).
 */
export async function jobFolderUsage(
  dir: string
): Promise<IJobFolderUsage | undefined> {
  const [stat, isMount] = await Promise.all([
    fs.statfs(dir).catch(() => undefined),
    isMountPoint(dir)
  ]);
  if (!stat || !isMount || stat.type !== TMPFS_MAGIC) return undefined;
  const maxBytes = stat.blocks * stat.bsize;
  const maxFiles = stat.files - 1;
  return {
    maxBytes,
    maxFiles,
    usedBytes: (stat.blocks - stat.bfree) * stat.bsize,
    usedFiles: stat.files - stat.ffree - 1,
    isFull: stat.bavail === 0 || stat.ffree === 0
  };
}

/** statfs f_type of tmpfs. */
const TMPFS_MAGIC = 0x01021994;

/**
 * Removes a kernel's folder without holding the gateway: a quota
 * filesystem is unmounted (the kernel frees its pages), anything else is
 * deleted by `rm -rf` in a child process, so that neither the event loop
 * nor the gateway's memory grows with the number of files. Never follows
 * links out of the folder or crosses into other filesystems. Never
 * rejects; resolves once the folder is gone (or could not be removed).
 */
export async function removeJobFolder(dir: string): Promise<void> {
  if (await isMountPoint(dir)) {
    await execFileAsync('umount', ['--lazy', dir], { env: ENV }).catch(
      () => undefined
    );
  }
  await new Promise<void>(resolve => {
    const child = spawn('rm', ['-rf', '--one-file-system', '--', dir], {
      env: ENV,
      stdio: 'ignore'
    });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

/** Whether `dir` is the root of a mount (its device differs from its parent's). */
async function isMountPoint(dir: string): Promise<boolean> {
  const [own, parent] = await Promise.all([
    fs.lstat(dir).catch(() => undefined),
    fs.lstat(path.dirname(dir)).catch(() => undefined)
  ]);
  return Boolean(own?.isDirectory() && parent && own.dev !== parent.dev);
}
