import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { IExposure } from './sandbox-command.js';
import type { ISystemPath } from './sandbox-policy.js';

/**
 * The prefix of the Python installation a virtual environment is built on:
 * the parent of `home` in `<venvDir>/pyvenv.cfg`, with symlinks resolved.
 *
 * @throws Error when the file is missing or has no `home`.
 */
export async function readPythonHome(venvDir: string): Promise<string> {
  const text = await fs.readFile(path.join(venvDir, 'pyvenv.cfg'), 'utf8');
  const home = /^home\s*=\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!home) throw new Error(`No "home" in ${venvDir}/pyvenv.cfg`);
  return fs.realpath(path.dirname(home));
}

/**
 * The outermost strict ancestor of `target` that `uid`/`gid` may not
 * search (execute bit), or undefined when every ancestor is searchable.
 */
export async function findBlockingAncestor(
  target: string,
  uid: number,
  gid: number
): Promise<string | undefined> {
  const parts = path.resolve(target).split('/').filter(Boolean);
  let dir = '/';
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const stat = await fs.stat(dir);
    const bit = stat.uid === uid ? 0o100 : stat.gid === gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return dir;
  }
  return undefined;
}

/**
 * The exposures (see {@link IExposure}) needed so that `uid` can reach
 * each of `paths`; paths whose ancestors are all searchable need none.
 */
export async function findExposures(
  paths: { path: string; isWritable: boolean }[],
  uid: number,
  gid: number
): Promise<IExposure[]> {
  const exposures: IExposure[] = [];
  for (const entry of paths) {
    const blocker = await findBlockingAncestor(entry.path, uid, gid);
    if (blocker) exposures.push({ ...entry, blocker });
  }
  return exposures;
}

/**
 * Which of `candidates` exist on this host, and which of those are
 * symlinks (merged-/usr layouts link /lib to usr/lib).
 */
export async function resolveSystemPaths(
  candidates: readonly string[]
): Promise<ISystemPath[]> {
  const found: ISystemPath[] = [];
  for (const candidate of candidates) {
    try {
      const stat = await fs.lstat(candidate);
      found.push(
        stat.isSymbolicLink()
          ? { path: candidate, symlinkTo: await fs.readlink(candidate) }
          : { path: candidate }
      );
    } catch {
      // not on this host
    }
  }
  return found;
}
