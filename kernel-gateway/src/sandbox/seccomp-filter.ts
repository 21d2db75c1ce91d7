import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The kernel sandbox's system-call profile: an allow-list in the manner of
 * the default profile container runtimes ship (see its `comment` for what
 * it denies).
 */
export const SECCOMP_PROFILE = fileURLToPath(
  new URL('../../seccomp/profile.json', import.meta.url)
);

/** Compiles {@link SECCOMP_PROFILE} with libseccomp (Debian: python3-seccomp). */
const COMPILER = fileURLToPath(
  new URL('../../seccomp/compile_filter.py', import.meta.url)
);

/** The compiled filter, or why there is none. */
export interface ISeccompFilter {
  /** The BPF program for `bwrap --seccomp`; undefined when it could not be built. */
  program: Buffer | undefined;
  /** For logs and probeSandbox(). */
  description: string;
}

/**
 * Compiles the sandbox's seccomp profile into a BPF program with
 * libseccomp's Python binding, run by the system Python (`python3`, which
 * has Debian's python3-seccomp; the venv's Python does not). Never
 * rejects: without the binding there is no filter, and the description
 * says how to get one.
 */
export async function compileSeccompFilter(
  python = '/usr/bin/python3'
): Promise<ISeccompFilter> {
  try {
    const { stdout } = await execFileAsync(
      python,
      ['-I', COMPILER, SECCOMP_PROFILE, '-'],
      { encoding: 'buffer', timeout: 30_000, maxBuffer: 1024 * 1024 }
    );
    if (stdout.length === 0 || stdout.length % 8 !== 0) {
      throw new Error(`not a BPF program (${stdout.length} bytes)`);
    }
    return {
      program: stdout,
      description: `seccomp filter from ${SECCOMP_PROFILE} (${stdout.length / 8} BPF instructions, libseccomp)`
    };
  } catch (error) {
    const why = String((error as { stderr?: Buffer }).stderr ?? error)
      .trim()
      .split('\n')
      .pop();
    return {
      program: undefined,
      description: `NO seccomp filter: it could not be compiled (${why}); install libseccomp's Python binding: apt-get install python3-seccomp`
    };
  }
}
