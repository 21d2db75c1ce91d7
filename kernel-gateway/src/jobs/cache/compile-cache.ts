import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

import type { IBind } from '../../sandbox/device-nodes.js';

/** Where a kernel sees its compile cache. */
export const COMPILE_CACHE_PATH = '/jaxlab-cache';

/** One kernel's view of a compile cache; see {@link CompileCache}. */
export interface ICompileCacheView {
  /** Bind it writable into the kernel's sandbox. */
  bind: IBind;
  /** JAX's settings pointing at it. */
  env: Record<string, string>;
  /** The owner's project folder whose entries it shows, once filled. */
  projectDir?: string;
}

/**
 * Persistent JAX compilation caches, one per owner and project, never
 * shared between users (a shared cache can be poisoned):
 * `<dataDir>/compile-cache/owners/<sha256(owner)>/<project>/`, 0700, never
 * mounted into any sandbox. A kernel gets a *view*: a folder of its own,
 * bound at {@link COMPILE_CACHE_PATH}, holding hard links to its owner's
 * entries, which are read-only (0444, the gateway's) so the kernel cannot
 * change them in place. New entries the kernel writes there are moved into
 * the owner's folder after the job ({@link keep}), only from a call that
 * returned (a killed kernel may have left half a file). Each project's
 * cache is trimmed to `maxBytes`, least recently used first.
 */
export class CompileCache {
  constructor(options: CompileCache.IOptions) {
    this._root = path.join(path.resolve(options.dataDir), 'compile-cache');
    this._maxBytes = options.maxBytes ?? 2 * 1024 ** 3;
    this._maxEntryBytes = options.maxEntryBytes ?? 512 * 1024 ** 2;
    this._kernelUid = options.kernelUid;
  }

  /** The owner's cache folder of `projectId` (not created). */
  projectDir(owner: string, projectId: string | null): string {
    const ownerKey = createHash('sha256').update(owner).digest('hex');
    const project =
      projectId && /^[A-Za-z0-9_-]{1,64}$/.test(projectId)
        ? projectId
        : projectId
          ? createHash('sha256').update(projectId).digest('hex').slice(0, 32)
          : 'no-project';
    return path.join(this._root, 'owners', ownerKey.slice(0, 32), project);
  }

  /** An empty view for a new kernel (a warm one is filled later). */
  async createView(): Promise<ICompileCacheView> {
    await fs.mkdir(path.join(this._root, 'owners'), {
      recursive: true,
      mode: 0o700
    });
    const views = path.join(this._root, 'views');
    await fs.mkdir(views, { recursive: true, mode: 0o711 });
    await fs.chmod(this._root, 0o711);
    const hostPath = path.join(views, randomBytes(12).toString('hex'));
    await fs.mkdir(hostPath, { mode: 0o700 });
    if (this._kernelUid !== undefined) {
      await fs.chown(hostPath, this._kernelUid, this._kernelUid);
    }
    return {
      bind: { hostPath, path: COMPILE_CACHE_PATH },
      env: {
        JAX_COMPILATION_CACHE_DIR: COMPILE_CACHE_PATH,
        // Cache every compilation: a CPU's are short but add up too.
        JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS: '0',
        JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES: '0'
      }
    };
  }

  /**
   * Shows `owner`'s cache of `projectId` in `view`: one hard link per
   * entry (read-only to the kernel), marking each as just used.
   */
  async fill(
    view: ICompileCacheView,
    owner: string,
    projectId: string | null
  ): Promise<void> {
    const projectDir = this.projectDir(owner, projectId);
    await fs.mkdir(projectDir, { recursive: true, mode: 0o700 });
    view.projectDir = projectDir;
    const now = new Date();
    for (const name of await fs.readdir(projectDir)) {
      const entry = path.join(projectDir, name);
      try {
        await fs.link(entry, path.join(view.bind.hostPath, name));
        await fs.utimes(entry, now, now);
      } catch {
        // Gone meanwhile (trimmed by another job): a miss, not an error.
      }
    }
  }

  /**
   * Moves the entries the kernel added to `view` into its owner's folder
   * (regular files with one link, sane names and sizes), replacing those of
   * the same name, then trims the folder. Call only once the kernel is gone.
   * Returns how many entries and bytes were kept.
   */
  async keep(
    view: ICompileCacheView
  ): Promise<{ entries: number; bytes: number }> {
    const kept = { entries: 0, bytes: 0 };
    if (!view.projectDir) return kept;
    let names: string[];
    try {
      names = await fs.readdir(view.bind.hostPath);
    } catch {
      return kept;
    }
    for (const name of names) {
      if (!/^[\w.-]{1,200}$/.test(name) || name.endsWith('.tmp')) continue;
      const file = path.join(view.bind.hostPath, name);
      const stat = await fs.lstat(file).catch(() => null);
      // One link: written by the kernel, not one of the owner's entries.
      if (!stat?.isFile() || stat.nlink !== 1) continue;
      if (stat.size > this._maxEntryBytes) continue;
      await fs.chmod(file, 0o444);
      if (this._kernelUid !== undefined) {
        await fs.chown(file, process.getuid!(), process.getgid!());
      }
      await fs.rename(file, path.join(view.projectDir, name));
      kept.entries++;
      kept.bytes += stat.size;
    }
    if (kept.entries > 0) await this._trim(view.projectDir);
    return kept;
  }

  /**
   * Removes every view an earlier gateway on this data folder left (it
   * died with kernels running); their entries were never kept. Call once
   * at start, before any kernel gets a view.
   */
  async removeStaleViews(): Promise<void> {
    await fs.rm(path.join(this._root, 'views'), {
      recursive: true,
      force: true
    });
  }

  /** Removes the view's folder (the owner's entries stay). Idempotent. */
  async dispose(view: ICompileCacheView): Promise<void> {
    await fs.rm(view.bind.hostPath, { recursive: true, force: true });
  }

  /** Drops the least recently used entries beyond `maxBytes`. */
  private async _trim(projectDir: string): Promise<void> {
    const entries = [];
    let total = 0;
    for (const name of await fs.readdir(projectDir)) {
      const stat = await fs
        .lstat(path.join(projectDir, name))
        .catch(() => null);
      if (!stat?.isFile()) continue;
      entries.push({ name, size: stat.size, usedMs: stat.mtimeMs });
      total += stat.size;
    }
    entries.sort((a, b) => a.usedMs - b.usedMs);
    for (const entry of entries) {
      if (total <= this._maxBytes) break;
      await fs.rm(path.join(projectDir, entry.name), { force: true });
      total -= entry.size;
    }
  }

  private _kernelUid: number | undefined;
  private _maxBytes: number;
  private _maxEntryBytes: number;
  private _root: string;
}

/** Option types of {@link CompileCache}. */
export namespace CompileCache {
  export interface IOptions {
    /** The lab's data folder: caches live in `<dataDir>/compile-cache/`. */
    dataDir: string;
    /** Bytes kept per owner and project (default 2 GiB). */
    maxBytes?: number;
    /** Largest single entry kept (default 512 MiB). */
    maxEntryBytes?: number;
    /**
     * The uid kernels run as, when it is not the gateway's (a root gateway:
     * 65534): views are given to it, kept entries taken back from it.
     */
    kernelUid?: number;
  }
}
