import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { JaxLabError } from '@jaxlab/schemas';

const execFileAsync = promisify(execFile);

/** What the host's kernel venv is made of: the base every job runs on. */
export interface IHostPython {
  /** Path of the venv's python. */
  python: string;
  /** `sys.version` up to the first space, e.g. `3.11.7`. */
  pythonVersion: string;
  /** Most specific wheel tag pip accepts, e.g. `cp311-cp311-linux_x86_64`. */
  abiTag: string;
  /** Version of the venv's pip (which builds requirement environments). */
  pipVersion: string;
  /** Every installed distribution, PEP 503 name to version. */
  packages: Record<string, string>;
}

/** Distributions the host pins for every job: JAX and what it is built on. */
const PINNED = new Set([
  'jax',
  'jaxlib',
  'numpy',
  'ml-dtypes',
  'opt-einsum',
  'scipy'
]);

/** JAX itself: a job may never bring another version. */
const PINNED_JAX = new Set(['jax', 'jaxlib']);

/** Plugin distributions of jaxlib (CUDA, ROCm, TPU) that are pinned too. */
const PINNED_PREFIXES = ['jax-cuda', 'jax-rocm', 'jax-tpu', 'libtpu'];

const INSPECT_SCRIPT = `
import importlib.metadata as md, json, re, sys
from pip import __version__ as pip_version
from pip._vendor.packaging.tags import sys_tags
packages = {}
for dist in md.distributions():
    name = dist.metadata['Name']
    if name:
        packages[re.sub(r'[-_.]+', '-', name).lower()] = dist.version
print(json.dumps({
    'pythonVersion': sys.version.split()[0],
    'abiTag': str(next(iter(sys_tags()))),
    'pipVersion': pip_version,
    'packages': packages,
}))
`;

/**
 * Inspects the host's kernel venv once: Python version, wheel ABI tag, pip
 * version and installed distributions. Runs no user code.
 *
 * @throws JaxLabError `INTERNAL` when the venv's python cannot run.
 */
export async function inspectHostPython(python: string): Promise<IHostPython> {
  try {
    const { stdout } = await execFileAsync(
      python,
      ['-I', '-c', INSPECT_SCRIPT],
      {
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024
      }
    );
    return { python, ...(JSON.parse(stdout) as Omit<IHostPython, 'python'>) };
  } catch (cause) {
    throw new JaxLabError(
      'INTERNAL',
      `Cannot inspect the host's Python venv ${python}`,
      {
        cause,
        hint: 'Run scripts/bootstrap.sh to create the venv with jax and pip.'
      }
    );
  }
}

/**
 * The host-owned pip constraints file: pins jax, jaxlib, their numeric
 * dependencies and any jaxlib plugin to the versions installed on the host,
 * so that a job's requirements can never swap the JAX the host supports.
 *
 * @internal The package entry exports it for the gateway's tests only.
 */
export function hostConstraints(host: IHostPython): string {
  return (
    Object.entries(host.packages)
      .filter(
        ([name]) =>
          PINNED.has(name) ||
          PINNED_PREFIXES.some(prefix => name.startsWith(prefix))
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, version]) => `${name}==${version}`)
      .join('\n') + '\n'
  );
}

/**
 * Refuses a requirements environment that would bring its own JAX: a
 * jax, jaxlib or JAX plugin (jax-cuda*, jax-rocm*, jax-tpu*, libtpu)
 * whose version differs from the host's or that the host does not have.
 * (The harness also adds the environment to `sys.path` only after JAX has
 * started its backends, and after the host's packages.)
 *
 * @throws JaxLabError `REQUIREMENTS_REJECTED` naming the distributions.
 */
export function assertKeepsHostJax(
  installed: Record<string, string>,
  host: IHostPython
): void {
  const foreign = Object.entries(installed).filter(
    ([name, version]) =>
      (PINNED_JAX.has(name) ||
        PINNED_PREFIXES.some(prefix => name.startsWith(prefix))) &&
      host.packages[name] !== version
  );
  if (foreign.length === 0) return;
  throw new JaxLabError(
    'REQUIREMENTS_REJECTED',
    `The requirements would install their own JAX: ${foreign
      .map(
        ([name, version]) =>
          `${name} ${version}${host.packages[name] ? ` (host: ${host.packages[name]})` : ' (not on this host)'}`
      )
      .join(', ')}.`,
    {
      hint: 'The host provides jax, jaxlib and the plugin for its accelerator; remove them (and packages that require another version of them) from requirements.txt, or submit to a host that has that accelerator.'
    }
  );
}
