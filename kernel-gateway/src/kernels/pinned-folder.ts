import { constants, existsSync, promises as fs } from 'node:fs';

import { JaxLabError } from '@jaxlab/schemas';

/** What to do about something the kernel planted (a restart clears it). */
export const PLANTED_HINT =
  'The kernel replaced the file or folder with a link or special file. Restart the kernel (POST /api/kernels/{id}/restart), which removes it, then write the file again; or start a new kernel.';

/**
 * A folder held open by its file descriptor, so that every name below it
 * is resolved inside the folder that was opened — `openat(2)` semantics,
 * which Node's `fs` lacks, through Linux's `/proc/self/fd/<fd>/<name>`:
 * the kernel resolves `/proc/self/fd/<fd>` to the open folder itself (not
 * to a path, so renaming or replacing that path changes nothing), and only
 * `<name>` is looked up in it, never followed when it is a link.
 *
 * A sandboxed kernel owns its folder and may swap any folder in it for a
 * symlink at any moment; walking a nested path one pinned folder at a time
 * (each opened `O_DIRECTORY | O_NOFOLLOW` relative to the one above) keeps
 * every write of the gateway inside the kernel's folder however it races.
 * The alternatives were weighed in docs/projects.md.
 */
export class PinnedFolder {
  /**
   * Opens `dir` (a path the gateway made, not the kernel).
   *
   * @throws JaxLabError `UNSAFE_PATH` when it is not a folder, or when
   *   `/proc` is missing (nothing could be written safely then).
   */
  static async open(dir: string): Promise<PinnedFolder> {
    if (!existsSync('/proc/self/fd')) {
      throw new JaxLabError(
        'UNSAFE_PATH',
        'The gateway cannot write kernel folders safely without /proc',
        { hint: 'Run the gateway on Linux with /proc mounted.' }
      );
    }
    return new PinnedFolder(await openFolder(dir, dir));
  }

  /** The path that names `name` inside this very folder. */
  pathOf(name: string): string {
    return `/proc/self/fd/${this._handle.fd}/${name}`;
  }

  /**
   * The subfolder `name`, made (mode 0755) when `create` and missing.
   *
   * @throws JaxLabError `UNSAFE_PATH` when `name` is a link, a file or
   *   anything but a folder; `NOT_FOUND` when missing and not `create`.
   */
  async folder(name: string, create: boolean): Promise<PinnedFolder> {
    if (create) {
      // mkdir never follows a link in its last name: EEXIST, then refused below.
      await fs.mkdir(this.pathOf(name), 0o755).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
    }
    try {
      return new PinnedFolder(await openFolder(this.pathOf(name), name));
    } catch (error) {
      // Made a moment ago and gone already: the kernel moved it meanwhile.
      if (create && (error as JaxLabError).code === 'NOT_FOUND')
        throw new JaxLabError(
          'UNSAFE_PATH',
          `${name} in the kernel folder changed while it was being written`,
          { cause: error, hint: PLANTED_HINT }
        );
      throw error;
    }
  }

  /** The owner of this folder. */
  async owner(): Promise<{ uid: number; gid: number }> {
    const stat = await this._handle.stat();
    return { uid: stat.uid, gid: stat.gid };
  }

  /** Gives this folder to `owner` (through its descriptor: no path involved). */
  async giveTo(owner: { uid: number; gid: number }): Promise<void> {
    const stat = await this._handle.stat();
    if (stat.uid !== owner.uid || stat.gid !== owner.gid)
      await this._handle.chown(owner.uid, owner.gid);
  }

  /** Closes the descriptor; idempotent. */
  async close(): Promise<void> {
    if (this._isClosed) return;
    this._isClosed = true;
    await this._handle.close();
  }

  private constructor(handle: fs.FileHandle) {
    this._handle = handle;
  }

  private _handle: fs.FileHandle;
  private _isClosed = false;
}

async function openFolder(at: string, name: string): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      at,
      constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new JaxLabError('NOT_FOUND', `No folder ${name}`, { cause: error });
    throw new JaxLabError(
      'UNSAFE_PATH',
      `${name} in the kernel folder is not a plain folder`,
      { cause: error, hint: PLANTED_HINT }
    );
  }
  return handle;
}
