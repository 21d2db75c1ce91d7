import type { KernelFilesWrite, Project } from '@jaxlab/schemas/contract';

/**
 * What of a project a kernel's folder needs to run it: main.py,
 * requirements.txt (the loader reads which packages a program may import
 * from it) and the project's other files, by path.
 */
export function kernelFilesOf(project: Project): Map<string, string> {
  const files = new Map<string, string>([
    ['main.py', project.mainPy],
    ['requirements.txt', project.requirements]
  ]);
  for (const file of project.files ?? []) files.set(file.path, file.content);
  return files;
}

/**
 * Which files each kernel's folder holds from a project, so that a new
 * version of the project sends only what changed: files whose text differs
 * and the files the project no longer has (to remove). Paths the notebook
 * writes itself (its `%%writefile` cells, as an exported run's notebook
 * has) are left to the notebook: its cells, not the project, say what they
 * hold, so "Restart Kernel and Run All Cells" re-runs what the run ran.
 */
export class KernelFileSync {
  /**
   * The write that brings `kernelId`'s folder to `project`, or null when
   * the folder has it already. Call {@link KernelFileSync.written} once it
   * succeeded.
   */
  changeFor(
    kernelId: string,
    project: Project,
    notebookFiles: ReadonlySet<string> = new Set()
  ): KernelFilesWrite | null {
    const before = this._folders.get(kernelId) ?? new Map<string, string>();
    const after = this._filesFor(project, notebookFiles);
    const files: Record<string, string> = {};
    for (const [path, text] of after) {
      if (before.get(path) !== text) files[path] = text;
    }
    const remove = [...before.keys()].filter(path => !after.has(path));
    if (Object.keys(files).length === 0 && remove.length === 0) return null;
    return { files, remove };
  }

  /** Records that `kernelId`'s folder now holds `project`'s files. */
  written(
    kernelId: string,
    project: Project,
    notebookFiles: ReadonlySet<string> = new Set()
  ): void {
    this._folders.set(kernelId, this._filesFor(project, notebookFiles));
  }

  /** Forgets what `kernelId`'s folder holds (a new or restarted kernel). */
  forget(kernelId: string): void {
    this._folders.delete(kernelId);
  }

  private _filesFor(
    project: Project,
    notebookFiles: ReadonlySet<string>
  ): Map<string, string> {
    const files = kernelFilesOf(project);
    for (const path of notebookFiles) files.delete(path);
    return files;
  }

  private _folders = new Map<string, Map<string, string>>();
}

/** `%%writefile [-a] <path>` at the start of a cell. */
const WRITEFILE = /^\s*%%writefile(?:\s+-a)?\s+(\S+)/;

/** The paths a notebook's `%%writefile` cells write. */
export function notebookWrittenFiles(sources: Iterable<string>): Set<string> {
  const paths = new Set<string>();
  for (const source of sources) {
    const path = WRITEFILE.exec(source)?.[1];
    if (path) paths.add(path);
  }
  return paths;
}
