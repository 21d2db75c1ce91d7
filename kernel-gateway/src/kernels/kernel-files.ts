import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';

import { JaxLabError, projectFilePathProblem } from '@jaxlab/schemas';

import { PLANTED_HINT, PinnedFolder } from './pinned-folder.js';

/** Names of a project's own files a client may write into a kernel folder. */
export const KERNEL_FILE_NAMES: readonly string[] = Object.freeze([
  'main.py',
  'requirements.txt',
  'README.md'
]);

/** Largest file accepted (bytes). */
export const MAX_KERNEL_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Removes whichever of {@link KERNEL_FILE_NAMES} and `paths` in
 * `kernelDir` is not a plain file with one link, or whose folder is not a
 * folder (a symlink, FIFO, folder or hard link the kernel planted), so
 * that the gateway can write it again. Call it while no kernel process
 * runs in the folder. Resolves with what was removed.
 */
export async function clearPlantedFiles(
  kernelDir: string,
  paths: Iterable<string> = []
): Promise<string[]> {
  const removed: string[] = [];
  for (const path of new Set([...KERNEL_FILE_NAMES, ...paths])) {
    const names = path.split('/');
    for (let depth = 1; depth <= names.length; depth++) {
      const prefix = names.slice(0, depth).join('/');
      const stat = await fs.lstat(join(kernelDir, prefix)).catch(() => null);
      if (!stat) break;
      const isFile = depth === names.length;
      const isPlain = isFile
        ? stat.isFile() && stat.nlink === 1
        : stat.isDirectory();
      if (isPlain) continue;
      await fs.rm(join(kernelDir, prefix), { recursive: true, force: true });
      removed.push(prefix);
      break;
    }
  }
  return removed;
}

/** Who new folders and files are given to (the sandbox's ids, when the gateway is root). */
interface IOwner {
  uid: number;
  gid: number;
}

/**
 * Checks that `path` may be written into a kernel folder: one of
 * {@link KERNEL_FILE_NAMES}, or a project file (`models.py`,
 * `utils/data.py`, by the rules of `projectFilePathProblem`).
 *
 * @throws JaxLabError `UNSAFE_PATH` with `details {path, rule}`.
 */
export function checkKernelFilePath(path: string): void {
  if (KERNEL_FILE_NAMES.includes(path)) return;
  const problem = projectFilePathProblem(path);
  if (problem) {
    throw new JaxLabError(
      'UNSAFE_PATH',
      `Cannot write '${path.slice(0, 200)}' into a kernel folder: ${problem.message}`,
      {
        hint: `Write ${KERNEL_FILE_NAMES.join(', ')} or a project file such as models.py or utils/data.py.`,
        details: { path: path.slice(0, 200), rule: problem.rule }
      }
    );
  }
}

/**
 * Writes `files` (path → text; folders are made as needed) into
 * `kernelDir` without ever leaving it: each path is walked one pinned
 * folder at a time ({@link PinnedFolder}), and each file is opened with
 * O_NOFOLLOW|O_NONBLOCK, must be a regular file with one link, and is
 * truncated only then (the sandboxed kernel owns the folder and could have
 * planted a symlink, FIFO or hard link, or swap a folder for a link while
 * this runs). Every path and size is checked before anything is written.
 *
 * @throws JaxLabError `UNSAFE_PATH` for paths a kernel folder may not
 *   hold or planted files and folders, `PAYLOAD_TOO_LARGE` for files over
 *   {@link MAX_KERNEL_FILE_BYTES}.
 */
export async function writeKernelFiles(
  kernelDir: string,
  files: Record<string, string>
): Promise<void> {
  const contents = Object.entries(files).map(([path, text]) => {
    checkKernelFilePath(path);
    if (typeof text !== 'string') {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `The content of ${path} must be text`
      );
    }
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > MAX_KERNEL_FILE_BYTES) {
      throw new JaxLabError(
        'PAYLOAD_TOO_LARGE',
        `${path} is over ${MAX_KERNEL_FILE_BYTES} bytes`,
        { hint: "Keep the project's files small." }
      );
    }
    return [path, bytes] as const;
  });
  if (contents.length === 0) return;
  const root = await PinnedFolder.open(kernelDir);
  try {
    const owner = process.getuid?.() === 0 ? await root.owner() : undefined;
    for (const [path, bytes] of contents) {
      await inParentOf(root, path, owner, (folder, name) =>
        writeFile(folder, name, path, bytes, owner)
      );
    }
  } finally {
    await root.close();
  }
}

/**
 * Removes files the gateway wrote (a project's file deleted or renamed
 * since), never following a link: a missing file or folder is fine.
 *
 * @throws JaxLabError `UNSAFE_PATH` for paths a kernel folder may not
 *   hold, or a folder planted where a file was.
 */
export async function removeKernelFiles(
  kernelDir: string,
  paths: readonly string[]
): Promise<void> {
  for (const path of paths) checkKernelFilePath(path);
  if (paths.length === 0) return;
  const root = await PinnedFolder.open(kernelDir);
  try {
    for (const path of paths) {
      await inParentOf(root, path, null, async (folder, name) => {
        await fs.unlink(folder.pathOf(name)).catch((error: unknown) => {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return;
          throw new JaxLabError(
            'UNSAFE_PATH',
            `Cannot remove ${path} from the kernel folder`,
            { cause: error, hint: PLANTED_HINT }
          );
        });
      }).catch((error: unknown) => {
        // A folder that is not there holds nothing to remove.
        if ((error as JaxLabError).code !== 'NOT_FOUND') throw error;
      });
    }
  } finally {
    await root.close();
  }
}

/**
 * Runs `fn` with the pinned folder that holds `path` and the file's name,
 * making the folders on the way unless `owner` is null.
 */
async function inParentOf(
  root: PinnedFolder,
  path: string,
  owner: IOwner | undefined | null,
  fn: (folder: PinnedFolder, name: string) => Promise<void>
): Promise<void> {
  const names = path.split('/');
  const name = names.pop()!;
  const opened: PinnedFolder[] = [];
  try {
    let folder = root;
    for (const folderName of names) {
      folder = await folder.folder(folderName, owner !== null);
      opened.push(folder);
      if (owner) await folder.giveTo(owner);
    }
    await fn(folder, name);
  } finally {
    for (const folder of opened.reverse()) await folder.close();
  }
}

async function writeFile(
  folder: PinnedFolder,
  name: string,
  path: string,
  bytes: Buffer,
  owner: IOwner | undefined
): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      folder.pathOf(name),
      constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK,
      0o644
    );
  } catch (error) {
    throw new JaxLabError(
      'UNSAFE_PATH',
      `Cannot open ${path} in the kernel folder safely`,
      { cause: error, hint: PLANTED_HINT }
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.nlink !== 1) {
      throw new JaxLabError(
        'UNSAFE_PATH',
        `${path} in the kernel folder is not a plain file`,
        { hint: PLANTED_HINT }
      );
    }
    await handle.truncate(0);
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.chmod(0o644);
    if (owner && (stat.uid !== owner.uid || stat.gid !== owner.gid))
      await handle.chown(owner.uid, owner.gid);
  } finally {
    await handle.close();
  }
}
