import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

import { JaxLabError } from '@jaxlab/schemas';

/** Names of files a client may write into a kernel folder. */
export const KERNEL_FILE_NAMES: readonly string[] = Object.freeze([
  'main.py',
  'requirements.txt',
  'README.md'
]);

/** Largest file accepted (bytes). */
export const MAX_KERNEL_FILE_BYTES = 4 * 1024 * 1024;

/** What to do about a file the kernel replaced (advice that works: a restart clears it). */
const PLANTED_HINT =
  'The kernel replaced the file with a link or special file. Restart the kernel (POST /api/kernels/{id}/restart), which removes it, then write the file again; or start a new kernel.';

/**
 * Removes whichever of {@link KERNEL_FILE_NAMES} in `kernelDir` is not a
 * plain file with one link (a symlink, FIFO, folder or hard link the
 * kernel planted), so that the gateway can write it again. Call it while
 * no kernel process runs in the folder. Resolves with the names removed.
 */
export async function clearPlantedFiles(kernelDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of KERNEL_FILE_NAMES) {
    const file = path.join(kernelDir, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (!stat || (stat.isFile() && stat.nlink === 1)) continue;
    await fs.rm(file, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Writes `files` into `kernelDir` without following symlinks: each file is
 * opened with O_NOFOLLOW|O_NONBLOCK, must be a regular file with one link,
 * and is truncated only then (the sandboxed kernel owns the folder and
 * could have planted a symlink, FIFO or hard link).
 *
 * @throws JaxLabError `UNSAFE_PATH` for other names or planted files,
 *   `PAYLOAD_TOO_LARGE` for files over {@link MAX_KERNEL_FILE_BYTES}.
 */
export async function writeKernelFiles(
  kernelDir: string,
  files: Record<string, string>
): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    if (!KERNEL_FILE_NAMES.includes(name)) {
      throw new JaxLabError(
        'UNSAFE_PATH',
        `Cannot write '${name}' into a kernel folder`,
        {
          hint: `Only ${KERNEL_FILE_NAMES.join(', ')} may be written.`
        }
      );
    }
    if (typeof text !== 'string') {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `The content of ${name} must be text`
      );
    }
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_KERNEL_FILE_BYTES) {
      throw new JaxLabError(
        'PAYLOAD_TOO_LARGE',
        `${name} is over ${MAX_KERNEL_FILE_BYTES} bytes`,
        {
          hint: 'Keep main.py and requirements.txt small.'
        }
      );
    }
    const file = path.join(kernelDir, name);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(
        file,
        constants.O_WRONLY |
          constants.O_CREAT |
          constants.O_NOFOLLOW |
          constants.O_NONBLOCK,
        0o644
      );
    } catch (error) {
      throw new JaxLabError(
        'UNSAFE_PATH',
        `Cannot open ${name} in the kernel folder safely`,
        { cause: error, hint: PLANTED_HINT }
      );
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.nlink !== 1) {
        throw new JaxLabError(
          'UNSAFE_PATH',
          `${name} in the kernel folder is not a plain file`,
          { hint: PLANTED_HINT }
        );
      }
      await handle.truncate(0);
      await handle.write(bytes, 0, bytes.length, 0);
      await handle.chmod(0o644);
    } finally {
      await handle.close();
    }
  }
}
