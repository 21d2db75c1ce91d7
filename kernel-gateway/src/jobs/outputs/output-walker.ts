import { constants, promises as fs } from 'node:fs';
import type { Stats } from 'node:fs';

import { MAX_OUTPUT_DEPTH } from './output-limits.js';

/** Why an entry of outputs/ is not collected, whatever the limits. */
export type SkipReason = 'link' | 'not-a-regular-file' | 'unreadable';

/** One entry of outputs/ as the walker found it. */
export type OutputEntry =
  | {
      kind: 'file';
      /** Path relative to outputs/. */
      name: string;
      /** Open, read-only, already checked (regular file, one link); the consumer closes it. */
      handle: fs.FileHandle;
      stat: Stats;
    }
  | { kind: 'skipped'; name: string; reason: SkipReason; sizeBytes?: number };

// O_NOFOLLOW: a symlink as the last component fails (ELOOP) instead of
// being followed. O_NONBLOCK: opening a FIFO does not wait for a writer.
// O_NOCTTY: a terminal never becomes ours.
const OPEN_ENTRY =
  constants.O_RDONLY |
  constants.O_NOFOLLOW |
  constants.O_NONBLOCK |
  constants.O_NOCTTY;
const OPEN_DIR = OPEN_ENTRY | constants.O_DIRECTORY;

/**
 * Walks `<jobDir>/outputs` safely against a kernel that is still racing to
 * swap entries for links: every name is opened relative to its folder's
 * open descriptor (through `/proc/self/fd/N/<name>`, so only the last
 * component is looked up, and it with O_NOFOLLOW), then checked with
 * `fstat` on the descriptor itself — what is read is what was checked.
 * Symlinks, hard links (a second name of a file outside outputs/), FIFOs,
 * sockets, devices and other filesystems are skipped, never opened for
 * reading. Yields files in name order; nothing when there is no outputs/.
 */
export async function* walkOutputs(
  jobDir: string
): AsyncGenerator<OutputEntry> {
  let root: fs.FileHandle;
  try {
    root = await fs.open(jobDir, OPEN_DIR);
  } catch {
    return;
  }
  try {
    const outputs = await openChild(root, 'outputs', OPEN_DIR);
    if ('error' in outputs) {
      if (outputs.error !== 'ENOENT')
        yield {
          kind: 'skipped',
          name: 'outputs',
          reason: reasonOf(outputs.error)
        };
      return;
    }
    const device = (await outputs.handle.stat()).dev;
    yield* walkFolder(outputs.handle, '', device, 0);
  } finally {
    await root.close();
  }
}

/** Yields the entries of the open `folder` (and its subfolders); closes it. */
async function* walkFolder(
  folder: fs.FileHandle,
  prefix: string,
  device: number,
  depth: number
): AsyncGenerator<OutputEntry> {
  try {
    let names: string[];
    try {
      names = (await fs.readdir(fdPath(folder))).sort();
    } catch {
      yield { kind: 'skipped', name: prefix || '.', reason: 'unreadable' };
      return;
    }
    for (const entryName of names) {
      const name = prefix + entryName;
      const opened = await openChild(folder, entryName, OPEN_ENTRY);
      if ('error' in opened) {
        yield { kind: 'skipped', name, reason: reasonOf(opened.error) };
        continue;
      }
      const { handle } = opened;
      let keep = false;
      try {
        const stat = await handle.stat();
        if (stat.dev !== device) {
          yield { kind: 'skipped', name, reason: 'not-a-regular-file' };
        } else if (stat.isDirectory()) {
          if (depth + 1 >= MAX_OUTPUT_DEPTH) {
            yield { kind: 'skipped', name, reason: 'unreadable' };
          } else {
            keep = true;
            yield* walkFolder(handle, `${name}/`, device, depth + 1);
          }
        } else if (!stat.isFile()) {
          yield { kind: 'skipped', name, reason: 'not-a-regular-file' };
        } else if (stat.nlink !== 1) {
          yield { kind: 'skipped', name, reason: 'link', sizeBytes: stat.size };
        } else {
          keep = true;
          yield { kind: 'file', name, handle, stat };
        }
      } finally {
        if (!keep) await handle.close();
      }
    }
  } finally {
    await folder.close();
  }
}

async function openChild(
  folder: fs.FileHandle,
  name: string,
  flags: number
): Promise<{ handle: fs.FileHandle } | { error: string }> {
  try {
    return { handle: await fs.open(`${fdPath(folder)}/${name}`, flags) };
  } catch (error) {
    return { error: (error as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/** The path that names an open folder itself (not whatever its name points at now). */
function fdPath(handle: fs.FileHandle): string {
  return `/proc/self/fd/${handle.fd}`;
}

function reasonOf(code: string): SkipReason {
  // ELOOP: a symlink; ENOTDIR: a link or file where a folder was expected;
  // ENXIO: a socket; EACCES/EPERM: e.g. a device on the nodev job folder.
  if (code === 'ELOOP' || code === 'ENOTDIR') return 'link';
  if (code === 'ENXIO' || code === 'EACCES' || code === 'EPERM')
    return 'not-a-regular-file';
  return 'unreadable';
}
