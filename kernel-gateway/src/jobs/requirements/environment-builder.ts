import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

import { JaxLabError, normalizeProjectName } from '@jaxlab/schemas';

import type { IHostPython } from '../host/host-python.js';
import {
  assertKeepsHostJax,
  hostConstraints,
  inspectHostPython
} from '../host/host-python.js';
import { IndexProxy } from './index-proxy.js';
import { pipSandboxArgv } from './pip-sandbox.js';
import type { LogSink } from '../../log/gateway-log.js';

/** A built requirements environment: a plain folder of installed packages. */
export interface IRequirementsEnvironment {
  /** Cache key: sha256 of requirements, constraints, ABI tag and pip version. */
  sha256: string;
  /** `<dataDir>/envs/<sha256>`; never changes once in place. */
  dir: string;
  /** The folder to put on the kernel's sys.path (read-only): `<dir>/site-packages`. */
  sitePackagesDir: string;
  /** Installed distributions (PEP 503 name to version), from their METADATA. */
  packages: Record<string, string>;
  /** Whether an existing environment was reused. */
  reused: boolean;
}

/**
 * Builds or reuses the environment of a job's (already validated and
 * sanitised) requirements, cached in `<dataDir>/envs/<sha256>/` by the hash
 * of the sanitised requirements, the host constraints, the Python ABI tag
 * and the pip version.
 *
 * A build runs the host venv's pip from outside the target (`--target`,
 * `--isolated --no-input --only-binary=:all:`, `-c <host constraints>`)
 * inside bubblewrap, writing only `<dataDir>/envs/.tmp-<random>/`, which is
 * renamed into place atomically once complete. Concurrent builds of one
 * hash in this process share one build; across processes the first rename
 * wins and the others reuse its result.
 */
export class EnvironmentBuilder {
  constructor(options: EnvironmentBuilder.IOptions) {
    this._dataDir = path.resolve(options.dataDir);
    this._python = options.python;
    this._sandboxed = options.sandboxed ?? true;
    this._buildTimeoutMs = options.buildTimeoutMs ?? 10 * 60_000;
    this._log = options.log ?? (() => undefined);
  }

  /** `<dataDir>/envs`. */
  get envsDir(): string {
    return path.join(this._dataDir, 'envs');
  }

  /** The host venv as inspected once (cached). */
  host(): Promise<IHostPython> {
    this._host ??= inspectHostPython(this._python);
    this._host.catch(() => (this._host = undefined));
    return this._host;
  }

  /** The cache key of an environment for `sanitized` requirements on this host. */
  async environmentSha256(sanitized: string): Promise<string> {
    const host = await this.host();
    return createHash('sha256')
      .update(
        JSON.stringify({
          requirements: sanitized,
          constraints: hostConstraints(host),
          abiTag: host.abiTag,
          pipVersion: host.pipVersion
        })
      )
      .digest('hex');
  }

  /**
   * The environment of `sanitized` requirements, built if needed; null when
   * there is nothing to install (no environment at all).
   *
   * @throws JaxLabError `REQUIREMENTS_REJECTED` when pip cannot install them
   *   (its last output lines in the message), `CONFLICT` when `signal`
   *   aborted the build, `INTERNAL` for host problems.
   */
  async build(
    sanitized: string,
    options: EnvironmentBuilder.IBuildOptions = {}
  ): Promise<IRequirementsEnvironment | null> {
    if (!sanitized.trim()) {
      return null;
    }
    const sha256 = await this.environmentSha256(sanitized);
    const dir = path.join(this.envsDir, sha256);
    if (existsSync(dir)) {
      return this._describe(sha256, true);
    }
    let pending = this._pending.get(sha256);
    if (!pending) {
      pending = this._build(sha256, sanitized, options).finally(() =>
        this._pending.delete(sha256)
      );
      this._pending.set(sha256, pending);
    } else {
      options.onOutput?.(
        'stdout',
        'Waiting for the same environment being built by another job.\n'
      );
    }
    return pending;
  }

  private async _build(
    sha256: string,
    sanitized: string,
    options: EnvironmentBuilder.IBuildOptions
  ): Promise<IRequirementsEnvironment> {
    const host = await this.host();
    await fs.mkdir(this.envsDir, { recursive: true });
    const cacheDir = path.join(this._dataDir, 'pip-cache');
    await fs.mkdir(cacheDir, { recursive: true });
    const buildDir = path.join(
      this.envsDir,
      `.tmp-${randomBytes(6).toString('hex')}`
    );
    await fs.mkdir(buildDir);
    try {
      const requirementsFile = path.join(buildDir, 'requirements.txt');
      const constraintsFile = path.join(buildDir, 'constraints.txt');
      await fs.writeFile(requirementsFile, sanitized);
      await fs.writeFile(constraintsFile, hostConstraints(host));
      const pip = [
        this._python,
        '-I',
        '-m',
        'pip',
        'install',
        '--isolated',
        '--no-input',
        '--disable-pip-version-check',
        '--no-warn-script-location',
        '--only-binary=:all:',
        '--cache-dir',
        cacheDir,
        '--target',
        path.join(buildDir, 'site-packages'),
        '-c',
        constraintsFile,
        '-r',
        requirementsFile
      ];
      this._log(`building requirements environment ${sha256.slice(0, 12)}`);
      if (this._sandboxed) {
        const proxy = new IndexProxy();
        const indexProxySocket = `${buildDir}.sock`;
        await proxy.listen(indexProxySocket);
        try {
          const argv = pipSandboxArgv({
            python: this._python,
            buildDir,
            cacheDir,
            readOnlyFiles: [],
            indexProxySocket,
            command: pip
          });
          await this._run(argv, buildDir, options, proxy);
        } finally {
          await proxy.close();
        }
      } else {
        await this._run(pip, buildDir, options);
      }
      const packages = await readInstalledPackages(
        path.join(buildDir, 'site-packages')
      );
      assertKeepsHostJax(packages, host);
      await fs.writeFile(
        path.join(buildDir, 'jaxlab-environment.json'),
        JSON.stringify(
          {
            sha256,
            requirements: sanitized,
            constraints: hostConstraints(host),
            abiTag: host.abiTag,
            pipVersion: host.pipVersion,
            packages,
            builtAt: new Date().toISOString()
          },
          null,
          2
        )
      );
      await fs.rm(requirementsFile);
      await fs.rm(constraintsFile);
      await fs.rm(path.join(buildDir, '.cache'), {
        recursive: true,
        force: true
      });
      // mkdtemp made it 0700; the sandbox user of the kernels must read it.
      await fs.chmod(buildDir, 0o755);
      try {
        // Atomic: the folder appears complete or not at all. A rename onto a
        // non-empty folder fails, so a concurrent builder's result wins.
        await fs.rename(buildDir, path.join(this.envsDir, sha256));
        return { ...(await this._describe(sha256, false)) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (
          (code === 'ENOTEMPTY' || code === 'EEXIST') &&
          existsSync(path.join(this.envsDir, sha256))
        ) {
          return this._describe(sha256, true);
        }
        throw error;
      }
    } finally {
      await fs.rm(buildDir, { recursive: true, force: true });
    }
  }

  private async _describe(
    sha256: string,
    reused: boolean
  ): Promise<IRequirementsEnvironment> {
    const dir = path.join(this.envsDir, sha256);
    const sitePackagesDir = path.join(dir, 'site-packages');
    return {
      sha256,
      dir,
      sitePackagesDir,
      packages: await readInstalledPackages(sitePackagesDir),
      reused
    };
  }

  private _run(
    argv: string[],
    cwd: string,
    options: EnvironmentBuilder.IBuildOptions,
    proxy?: IndexProxy
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: '/usr/local/bin:/usr/bin:/bin',
          HOME: cwd,
          LANG: 'C.UTF-8'
        },
        // A session of its own: builds rank below the gateway (see
        // setGatewayPriority), like kernels.
        detached: true
      });
      let tail = '';
      const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-4000);
        options.onOutput?.(stream, text);
      };
      child.stdout.on('data', collect('stdout'));
      child.stderr.on('data', collect('stderr'));
      let why: 'timeout' | 'aborted' | undefined;
      const kill = (reason: 'timeout' | 'aborted') => {
        why ??= reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill('timeout'), this._buildTimeoutMs);
      const onAbort = () => kill('aborted');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) {
        onAbort();
      }
      child.on('error', error => {
        clearTimeout(timer);
        reject(
          new JaxLabError(
            'INTERNAL',
            `Cannot start the requirements build: ${error.message}`,
            {
              cause: error,
              hint: 'Install bubblewrap (bwrap) on the host.'
            }
          )
        );
      });
      child.on('close', code => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (why === 'aborted') {
          reject(
            new JaxLabError('CONFLICT', 'The requirements build was cancelled.')
          );
        } else if (why === 'timeout') {
          reject(
            new JaxLabError(
              'REQUIREMENTS_REJECTED',
              `Installing the requirements took longer than ${Math.round(this._buildTimeoutMs / 1000)} s.`,
              { hint: 'Require fewer or smaller packages.' }
            )
          );
        } else if (code === 0) {
          resolve();
        } else {
          const lastLines = tail.trim().split('\n').slice(-8).join('\n');
          const refused = proxy?.refused.length
            ? `\nThe build may reach only the package index; refused: ${proxy.refused.join(', ')}.`
            : '';
          reject(
            new JaxLabError(
              'REQUIREMENTS_REJECTED',
              `pip could not install the requirements (exit ${code}):\n${lastLines}${refused}`,
              {
                hint: 'Check that each project and version exists on the package index as a wheel for this host (only wheels are installed) and does not conflict with the host-pinned jax/jaxlib versions.'
              }
            )
          );
        }
      });
    });
  }

  private _buildTimeoutMs: number;
  private _dataDir: string;
  private _host: Promise<IHostPython> | undefined;
  private _log: LogSink;
  private _pending = new Map<string, Promise<IRequirementsEnvironment>>();
  private _python: string;
  private _sandboxed: boolean;
}

/** Statics and option types of {@link EnvironmentBuilder}. */
export namespace EnvironmentBuilder {
  export interface IOptions {
    /** The lab's data folder; environments go in `<dataDir>/envs/`. */
    dataDir: string;
    /** The host venv's python, whose pip builds environments. */
    python: string;
    /**
     * Run pip inside bubblewrap (default true), whose only network is a
     * proxy to PyPI.
     */
    sandboxed?: boolean;
    /** Longest a pip run may take (default 10 minutes). */
    buildTimeoutMs?: number;
    log?: LogSink;
  }

  export interface IBuildOptions {
    /** pip's output as it comes, for the job's log. */
    onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
    /** Aborts the build (e.g. the job was cancelled). */
    signal?: AbortSignal;
  }
}

/**
 * Installed distributions of a `--target` folder, read from the `Name` and
 * `Version` lines of each `*.dist-info/METADATA`.
 */
export async function readInstalledPackages(
  sitePackagesDir: string
): Promise<Record<string, string>> {
  const packages: Record<string, string> = {};
  let entries: string[];
  try {
    entries = await fs.readdir(sitePackagesDir);
  } catch {
    return packages;
  }
  for (const entry of entries.filter(e => e.endsWith('.dist-info')).sort()) {
    try {
      const metadata = await fs.readFile(
        path.join(sitePackagesDir, entry, 'METADATA'),
        'utf8'
      );
      const headers = metadata.split(/\r?\n\r?\n/)[0];
      const name = /^Name:\s*(.+)$/m.exec(headers)?.[1]?.trim();
      const version = /^Version:\s*(.+)$/m.exec(headers)?.[1]?.trim();
      if (name && version) {
        packages[normalizeProjectName(name)] = version;
      }
    } catch {
      // A dist-info without METADATA is not an installed distribution.
    }
  }
  return packages;
}
