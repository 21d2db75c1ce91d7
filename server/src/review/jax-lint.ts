import { spawn } from 'node:child_process';
import { labPaths } from '@jaxlab/paths';
import type { LintFinding } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';

/** Options of {@link runJaxLint}. */
export interface IJaxLintOptions {
  /** Python interpreter (default: the lab's, `labPaths().python`). */
  pythonPath?: string;
  /** Kill the linter after this long (default 20 s). */
  timeoutMs?: number;
  /** Most bytes of output accepted (default 4 MiB). */
  maxOutputBytes?: number;
}

/**
 * Runs the built-in JAX lint (`python -I -m jaxlab_lint`, the package in
 * `server/python/` that bootstrap installs into the lab's Python) over
 * `code` in a subprocess. The linter only parses the code with `ast`; it
 * never imports or runs it. Findings come back sorted by position.
 *
 * @throws {@link JaxLabError} `INTERNAL` when the linter cannot run, times
 *   out, or answers something that is not a findings list.
 * @example
 * ```ts
 * const findings = await runJaxLint('import jax\n...');
 * ```
 */
export function runJaxLint(
  code: string,
  options: IJaxLintOptions = {}
): Promise<LintFinding[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxOutputBytes ?? 4 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(
      options.pythonPath ?? labPaths().python,
      ['-I', '-m', 'jaxlab_lint'],
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
      failure = `the linter took longer than ${timeoutMs} ms`;
      killAll();
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      size += d.length;
      if (size > maxBytes) {
        failure = 'the linter wrote too much output';
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
      failure = `the linter could not start (${err.message})`;
    });
    child.on('close', code => {
      clearTimeout(timer);
      if (failure || code !== 0) {
        reject(
          new JaxLabError(
            'INTERNAL',
            `JAX lint failed: ${failure ?? `exit ${code}: ${stderr.trim().slice(-500)}`}`,
            {
              hint: 'Run scripts/bootstrap.sh, which installs the lint into the lab Python (.venv); the review continues without lint findings.'
            }
          )
        );
        return;
      }
      try {
        resolve(parseFindings(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(code);
  });
}

function parseFindings(text: string): LintFinding[] {
  const out = (JSON.parse(text) as { findings?: unknown }).findings;
  if (!Array.isArray(out))
    throw new JaxLabError('INTERNAL', 'JAX lint answered no findings list');
  return out.map(f => {
    const x = f as Record<string, unknown>;
    const ok =
      typeof x.rule === 'string' &&
      /^JAX[0-9]{3}$/.test(x.rule) &&
      Number.isInteger(x.line) &&
      Number.isInteger(x.column) &&
      ['error', 'warning', 'info'].includes(x.severity as string) &&
      ['message', 'why', 'fix'].every(k => typeof x[k] === 'string');
    if (!ok)
      throw new JaxLabError(
        'INTERNAL',
        'JAX lint answered a malformed finding'
      );
    const finding: LintFinding = {
      rule: x.rule as string,
      line: Math.max(1, x.line as number),
      column: Math.max(1, x.column as number),
      severity: x.severity as LintFinding['severity'],
      message: (x.message as string).slice(0, 1000),
      why: (x.why as string).slice(0, 2000),
      fix: (x.fix as string).slice(0, 2000)
    };
    if (typeof x.name === 'string') finding.name = x.name.slice(0, 64);
    return finding;
  });
}
