import { spawn } from 'node:child_process';
import path from 'node:path';

import { JaxLabError } from '@jaxlab/schemas';

import { processTree, setPriorityOfProcesses } from './cpu-priority.js';
import type { IKernelLauncher, IKernelProcess } from './kernel-launcher.js';
import { reapLeftoverSandbox } from './leftover-sandbox.js';
import { buildSandboxEnv } from './sandbox-policy.js';
import type { LogSink } from '../log/gateway-log.js';

/**
 * Starts kernels WITHOUT any confinement: user code gets the gateway's own
 * rights. Exists only behind `--unsafe-no-sandbox`; logs a warning on
 * every start.
 */
export class UnsandboxedLauncher implements IKernelLauncher {
  constructor(options: UnsandboxedLauncher.IOptions) {
    this._options = options;
  }

  /** Kernels started here are not confined. */
  readonly isSandboxed = false;

  /**
   * Spawns `<venv>/bin/python -I -m jaxlab_harness -f <conn>` in its own
   * process group with a cleared environment; its stdout and stderr are
   * pipes the caller must read (KernelSession does).
   *
   * @throws JaxLabError `KERNEL_START_FAILED`.
   */
  async launch(
    options: IKernelLauncher.ILaunchOptions
  ): Promise<IKernelProcess> {
    this._options.log?.(
      `WARNING: kernel ${options.kernelId} runs WITHOUT a sandbox (--unsafe-no-sandbox): its code has the gateway's own rights`
    );
    const python = path.join(this._options.venvDir, 'bin', 'python');
    const child = spawn(
      python,
      ['-I', '-m', 'jaxlab_harness', '-f', options.connectionFile],
      {
        cwd: options.jobDir,
        env: buildSandboxEnv({
          jobDir: options.jobDir,
          venvDir: this._options.venvDir,
          env: options.env,
          requirementsEnvDir: options.requirementsEnvDir,
          runtimeEnv: hostPathsOf(options)
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true
      }
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (error) {
      throw new JaxLabError(
        'KERNEL_START_FAILED',
        `Could not start ${python}`,
        {
          cause: error,
          hint: 'Run the install command of the README to create the virtual environment.'
        }
      );
    }
    const pid = child.pid!;
    const exited = new Promise<IKernelProcess.IExit>(resolve =>
      child.once('exit', (code, signal) => resolve({ code, signal }))
    );
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
      } catch {
        // group gone
      }
    };
    return {
      pid,
      exited,
      stdout: child.stdout!,
      stderr: child.stderr!,
      setCpuPriority: async priority =>
        setPriorityOfProcesses(await processTree(pid), priority),
      signal: signal => {
        try {
          process.kill(pid, signal);
        } catch {
          // gone
        }
      },
      dispose: async () => {
        killGroup('SIGKILL');
        await exited;
        killGroup('SIGKILL');
      }
    };
  }

  /**
   * Kills the processes an unsandboxed kernel of an earlier gateway run
   * left running in `jobDir` (recognised by their `JAXLAB_WORKDIR`).
   */
  reapLeftover(kernelId: string, jobDir: string): Promise<number> {
    return reapLeftoverSandbox({
      kernelId,
      jobDir: path.resolve(jobDir),
      log: this._options.log
    });
  }

  private readonly _options: UnsandboxedLauncher.IOptions;
}

export namespace UnsandboxedLauncher {
  /** Options of {@link UnsandboxedLauncher}. */
  export interface IOptions {
    venvDir: string;
    log?: LogSink;
  }
}

/**
 * The runtime environment with each writable bind's sandbox path (e.g. the
 * compile cache's `/jaxlab-cache`) replaced by its host path: without a
 * sandbox there is no bind, the program sees the host's folders.
 */
function hostPathsOf(
  options: IKernelLauncher.ILaunchOptions
): Record<string, string> {
  const env = { ...options.runtimeEnv };
  for (const bind of options.writableBinds ?? []) {
    for (const [name, value] of Object.entries(env)) {
      if (value === bind.path) env[name] = bind.hostPath;
    }
  }
  return env;
}
