import { spawn } from 'node:child_process';
import { labPaths } from '@jaxlab/paths';
import { JaxLabError } from '@jaxlab/schemas';

/** Options of {@link runPythonCommand}. */
export interface IPythonCommandOptions {
  /** Python interpreter (default: the lab's, `labPaths().python`). */
  pythonPath?: string;
  /** Kill the command after this long (default 20 s). */
  timeoutMs?: number;
  /** Most bytes of output accepted (default 4 MiB). */
  maxOutputBytes?: number;
}

/**
 * Runs `python -I <args>` in its own process group with `input` on stdin and
 * resolves with its stdout. The commands the server runs this way (the JAX
 * lint, the harness's loader check and Make it runnable) only parse the
 * user's code; none imports or runs it.
 *
 * @param what - the command in an error message ("JAX lint").
 * @param hint - what to do when it cannot run.
 * @throws {@link JaxLabError} `INTERNAL` when it cannot start, times out,
 *   writes too much or exits non-zero.
 * @example
 * ```ts
 * const out = await runPythonCommand(['-m', 'jaxlab_lint'], code, 'JAX lint', hint);
 * ```
 */
export function runPythonCommand(
  args: string[],
  input: string,
  what: string,
  hint: string,
  options: IPythonCommandOptions = {}
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxOutputBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(
      options.pythonPath ?? labPaths().python,
      ['-I', ...args],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        // Own process group, so a timeout kills everything it started.
        detached: true,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          PYTHONDONTWRITEBYTECODE: '1'
        }
      }
    );
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: string | undefined;
    const killAll = (): void => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const timer = setTimeout(() => {
      failure = `it took longer than ${timeoutMs} ms`;
      killAll();
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) {
        failure = 'it wrote too much output';
        killAll();
        return;
      }
      chunks.push(d);
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on('error', err => {
      failure = `it could not start (${err.message})`;
    });
    child.on('close', code => {
      clearTimeout(timer);
      if (failure || code !== 0) {
        const why = failure ?? `exit ${code}: ${stderr.trim().slice(-500)}`;
        reject(new JaxLabError('INTERNAL', `${what} failed: ${why}`, { hint }));
        return;
      }
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
