// Programs in the real bubblewrap sandbox for the sandbox tests: launchers
// and job folders.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll } from 'vitest';

import { labPaths } from '@jaxlab/paths';
import { BubblewrapLauncher, SANDBOX_JOB_DIR } from '@jaxlab/kernel-gateway';
import type { SandboxedProcess } from '@jaxlab/kernel-gateway';

export const { venvDir: VENV, python: PYTHON } = labPaths();

export interface IRun {
  exit: Awaited<SandboxedProcess['exited']>;
  stdout: string;
  stderr: string;
  jobDir: string;
}

let base: string;
let counter = 0;
/** Launchers with cgroups (where the host offers them) and with rlimits only. */
export const launcher = new BubblewrapLauncher({ venvDir: VENV });
export const rlimitLauncher = new BubblewrapLauncher({
  venvDir: VENV,
  cgroups: { mode: 'rlimit', parents: {}, reason: 'forced by test' }
});

export async function newJobDir(): Promise<string> {
  const jobDir = path.join(base, `k${++counter}`);
  await fs.mkdir(jobDir);
  return jobDir;
}

export async function start(
  code: string,
  options: {
    limits?: Parameters<BubblewrapLauncher['launchProgram']>[0]['limits'];
    env?: Record<string, string>;
    on?: BubblewrapLauncher;
  } = {}
): Promise<{
  proc: SandboxedProcess;
  jobDir: string;
  output: () => { stdout: string; stderr: string };
}> {
  const jobDir = await newJobDir();
  await fs.writeFile(path.join(jobDir, 'main.py'), code);
  const proc = await (options.on ?? launcher).launchProgram({
    kernelId: path.basename(base) + path.basename(jobDir),
    jobDir,
    argv: [PYTHON, '-I', path.join(SANDBOX_JOB_DIR, 'main.py')],
    env: options.env,
    limits: { wallClockLimitMs: 30_000, ...options.limits }
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', chunk => (stdout += chunk));
  proc.stderr.on('data', chunk => (stderr += chunk));
  return { proc, jobDir, output: () => ({ stdout, stderr }) };
}

export async function run(
  code: string,
  options: Parameters<typeof start>[1] = {}
): Promise<IRun> {
  const started = await start(code, options);
  const exit = await started.proc.exited;
  return { exit, jobDir: started.jobDir, ...started.output() };
}

/** Makes the job folders' parent for the calling test file, and removes it after. */
export function useJobFolders(): void {
  beforeAll(async () => {
    // mkdtemp makes a 0700 folder: the launcher must expose the job folder
    // to the unprivileged id through it.
    base = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-sbx-'));
  });

  afterAll(async () => {
    await fs.rm(base, { recursive: true, force: true });
  });
}
