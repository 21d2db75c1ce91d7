import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the parts of a JAX TPU Lab checkout live. Every package and test
 * asks here instead of climbing `../../../` from its own file.
 */
export interface ILabPaths {
  /** The repository root (the npm workspace). */
  readonly root: string;
  /** The lab's Python environment, with the harness and the JAX lint installed (`<root>/.venv`). */
  readonly venvDir: string;
  /** The environment's interpreter (`<venvDir>/bin/python`). */
  readonly python: string;
  /**
   * The data folder (SQLite file, kernel folders, requirement
   * environments): `JAXLAB_DATA_DIR` when set, else `<root>/.jaxlab`.
   */
  readonly dataDir: string;
  /** The harness's Python sources (`harness/src`), for loading them without installing. */
  readonly harnessSrc: string;
  /** The server's sample problems, one folder each (`server/src/samples`). */
  readonly samplesDir: string;
  /** A command installed in the environment, e.g. `venvBin('jupyter')`. */
  venvBin(name: string): string;
}

// Two levels above this file, from both src/ and lib/ of this package.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The paths of this checkout; `env` supplies `JAXLAB_DATA_DIR` (default
 * `process.env`). Relative settings resolve against the current directory.
 *
 * @example
 * ```ts
 * const { python, dataDir } = labPaths();
 * spawn(python, ['-I', '-m', 'jaxlab_lint']);
 * ```
 */
export function labPaths(env: NodeJS.ProcessEnv = process.env): ILabPaths {
  const root = path.resolve(ROOT);
  const venvDir = path.join(root, '.venv');
  const venvBin = (name: string): string => path.join(venvDir, 'bin', name);
  return {
    root,
    venvDir,
    python: venvBin('python'),
    dataDir: path.resolve(env.JAXLAB_DATA_DIR || path.join(root, '.jaxlab')),
    harnessSrc: path.join(root, 'harness', 'src'),
    samplesDir: path.join(root, 'server', 'src', 'samples'),
    venvBin
  };
}
