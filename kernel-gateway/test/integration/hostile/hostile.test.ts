/**
 * The hostile-program suite: every program under programs/ attacks the
 * kernel host in one way. Two independent layers are checked per program:
 *
 * - the loader (harness `load_definitions`) rejects it with the rule named
 *   in its `# Loader:` header (or accepts it: `ok`);
 * - the sandbox contains it even when the loader is bypassed: `main()` runs
 *   unrestricted inside BubblewrapLauncher and must print no `ESCAPED`
 *   line, end as its `# Sandbox:` header says, and leave no process behind.
 *
 * Afterwards a fresh sandbox still runs a trivial main(): the gateway side
 * stays healthy.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import { BubblewrapLauncher, SANDBOX_JOB_DIR } from '@jaxlab/kernel-gateway';
import type { SandboxedProcess } from '@jaxlab/kernel-gateway';
import { descendants, isAlive } from '../sandbox-processes.js';

const { venvDir: VENV, python: PYTHON, harnessSrc: HARNESS_SRC } = labPaths();
const PROGRAMS = fileURLToPath(new URL('./programs/', import.meta.url));

/** Runs `main()` of the job folder's main.py, with stdlib taking precedence. */
const RUNNER =
  'import sys; sys.path.append(sys.argv[1]); import main; main.main(); print("RETURNED", flush=True)';

interface IProgram {
  file: string;
  attack: string;
  loaderRule: string;
  sandbox: string;
}

const programs: IProgram[] = readdirSync(PROGRAMS)
  .filter(f => f.endsWith('.py'))
  .sort()
  .map(file => {
    const text = readFileSync(path.join(PROGRAMS, file), 'utf8');
    const header = (name: string): string =>
      new RegExp(`^# ${name}: (.+)$`, 'm').exec(text)?.[1]?.trim() ?? '';
    return {
      file,
      attack: header('Attack'),
      loaderRule: header('Loader'),
      sandbox: header('Sandbox')
    };
  });

const launcher = new BubblewrapLauncher({
  venvDir: VENV,
  limits: {
    memoryMaxBytes: 256 * 1024 ** 2,
    pidsMax: 64,
    cpuTimeLimitS: 20,
    wallClockLimitMs: 30_000,
    fileSizeMaxBytes: 8 * 1024 ** 2,
    tmpSizeMaxBytes: 16 * 1024 ** 2
  }
});

let base: string;
let counter = 0;

async function launch(
  source: string,
  limits: Parameters<BubblewrapLauncher['launchProgram']>[0]['limits'] = {}
): Promise<{ proc: SandboxedProcess; output: () => string }> {
  const jobDir = path.join(base, `h${++counter}`);
  await fs.mkdir(jobDir);
  await fs.writeFile(path.join(jobDir, 'main.py'), source);
  const proc = await launcher.launchProgram({
    kernelId: `${path.basename(base)}-h${counter}`,
    jobDir,
    argv: [PYTHON, '-I', '-c', RUNNER, SANDBOX_JOB_DIR],
    env: { JAXLAB_DESIGNATED_FUNCTIONS: 'main' },
    limits
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    // keep the head and the tail of floods only
    output = (output + chunk.toString('latin1')).slice(-200_000);
  };
  proc.stdout.on('data', append);
  proc.stderr.on('data', append);
  return { proc, output: () => output };
}

beforeAll(async () => {
  process.env.JAXLAB_TEST_SECRET = 'hunter2';
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-hostile-'));
});

afterAll(async () => {
  delete process.env.JAXLAB_TEST_SECRET;
  await fs.rm(base, { recursive: true, force: true });
});

describe('hostile programs', () => {
  it('should hold at least 25 programs, each with its attack, loader rule and containment', () => {
    expect(programs.length).toBeGreaterThanOrEqual(25);
    for (const program of programs) {
      expect(program.attack, program.file).not.toBe('');
      expect(program.loaderRule, program.file).not.toBe('');
      expect(program.sandbox, program.file).toMatch(
        /^(clean|exit|dispose|limit=[a-z-]+)$/
      );
    }
  });
});

describe('load_definitions() on hostile programs', () => {
  let rules: Record<string, string[]> = {};
  beforeAll(() => {
    // The loader is a pure function of the source: run it once for all.
    const script = [
      'import json, os, sys',
      `sys.path.insert(0, ${JSON.stringify(HARNESS_SRC)})`,
      'from jaxlab_harness.loader import load_definitions',
      'folder = sys.argv[1]',
      'out = {}',
      'for name in sorted(os.listdir(folder)):',
      '    if name.endswith(".py"):',
      '        result = load_definitions(open(os.path.join(folder, name)).read())',
      '        out[name] = [v.rule for v in result.violations]',
      'print(json.dumps(out))'
    ].join('\n');
    // A failing probe throws here and fails every test below: never skip.
    rules = JSON.parse(
      execFileSync(PYTHON, ['-c', script, PROGRAMS], {
        encoding: 'utf8',
        timeout: 30_000
      })
    );
  });

  for (const program of programs) {
    it(`should ${program.loaderRule === 'ok' ? 'accept' : `reject with ${program.loaderRule}`}: ${program.file}`, () => {
      const found = rules[program.file];
      expect(
        found,
        `loader probe has no result for ${program.file}`
      ).toBeDefined();
      if (program.loaderRule === 'ok') {
        expect(found).toEqual([]);
      } else {
        expect(found).toContain(program.loaderRule);
      }
    });
  }
});

describe('BubblewrapLauncher against hostile programs (loader bypassed)', () => {
  for (const program of programs) {
    it(`should contain ${program.file}: ${program.attack}`, async () => {
      const source = readFileSync(path.join(PROGRAMS, program.file), 'utf8');
      const isTimed = program.sandbox === 'limit=wall-clock';
      const { proc, output } = await launch(
        source,
        isTimed ? { wallClockLimitMs: 2500 } : {}
      );
      if (program.sandbox === 'dispose') {
        const t0 = Date.now();
        while (!output().includes('READY') && Date.now() - t0 < 20_000) {
          await new Promise(resolve => setTimeout(resolve, 50));
        }
        expect(output()).toContain('READY');
        await new Promise(resolve => setTimeout(resolve, 200));
        const before = descendants(proc.pid);
        expect(before.size).toBeGreaterThanOrEqual(2);
        await proc.dispose();
        for (const [pid, start] of before)
          expect(isAlive(pid, start)).toBe(false);
        return;
      }
      const exit = await proc.exited;
      const text = output();
      expect(text).not.toContain('ESCAPED');
      if (program.sandbox.startsWith('limit=')) {
        expect(exit.limit).toBe(program.sandbox.slice('limit='.length));
      } else {
        // 'clean', and 'exit' (attacks on the gateway's protocol, which a
        // plain sandbox does not speak)
        expect(text).toContain('CONTAINED');
        expect(exit.limit).toBeUndefined();
      }
    });
  }

  it('should still run a trivial main() in a fresh sandbox afterwards', async () => {
    const { proc, output } = await launch(
      'def main():\n    print("hello from main")\n'
    );
    const exit = await proc.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output()).toContain('hello from main');
    expect(output()).toContain('RETURNED');
  });
});
