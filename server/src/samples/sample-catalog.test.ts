import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import { SAMPLE_PROBLEMS, loadSample } from './sample-catalog.js';

const VENV_PYTHON = labPaths().python;
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** Steps of each sample's printed `step N: loss X` lines. */
const STEP_LINES: Record<string, Array<[number, string[]]>> = {
  'spirals-mlp': [0, 500, 1000, 1500, 2000, 2500].map(s => [s, ['loss']]),
  'linear-regression': [0, 100, 200].map(s => [s, ['loss']]),
  'matmul-throughput': []
};

/** [step, names] of the lines of `output` the harness's fallback reads. */
async function parsedStepLines(
  output: string
): Promise<Array<[number, string[]]>> {
  const child = spawn(
    VENV_PYTHON,
    [
      '-I',
      '-c',
      'import json, sys\nfrom jaxlab_harness.step_lines import parse_step_line\n' +
        'found = [parse_step_line(line) for line in sys.stdin.read().splitlines()]\n' +
        'print(json.dumps([[p[0], sorted(p[2])] for p in found if p]))'
    ],
    { timeout: 30_000 }
  );
  let out = '';
  child.stdout.on('data', d => (out += d));
  child.stdin.end(output);
  await new Promise(resolve => child.on('close', resolve));
  return JSON.parse(out) as Array<[number, string[]]>;
}

describe('SAMPLE_PROBLEMS', () => {
  it('should obey the restricted loader (definitions only)', async () => {
    const harness = labPaths().harnessSrc;
    for (const info of SAMPLE_PROBLEMS) {
      const s = await loadSample(info.id);
      const { code, out } = await new Promise<{
        code: number | null;
        out: string;
      }>(resolve => {
        const child = spawn(
          VENV_PYTHON,
          [
            '-c',
            'import sys; from jaxlab_harness.loader import load_definitions as l; r = l(sys.stdin.read()); print(r.violations); sys.exit(0 if r.ok else 1)'
          ],
          { env: { ...process.env, PYTHONPATH: harness }, timeout: 30_000 }
        );
        let out = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (out += d));
        child.on('close', c => resolve({ code: c, out }));
        child.stdin.end(s.mainPy);
      });
      expect(code, `${info.id}: ${out}`).toBe(0);
    }
  });

  for (const info of SAMPLE_PROBLEMS) {
    it(`should run ${info.id} on the CPU within 60 s and print its Final line`, async () => {
      const s = await loadSample(info.id);
      const dir = await mkdtemp(join(tmpdir(), 'jxs-'));
      closers.push(() => rm(dir, { recursive: true, force: true }));
      await writeFile(join(dir, 'main.py'), s.mainPy);
      const started = Date.now();
      const { code, out } = await new Promise<{
        code: number | null;
        out: string;
      }>(resolve => {
        const child = spawn(VENV_PYTHON, ['-c', 'import main; main.main()'], {
          cwd: dir,
          env: { ...process.env, JAX_PLATFORMS: 'cpu' },
          timeout: 60_000
        });
        let out = '';
        child.stdout.on('data', d => (out += d));
        child.stderr.on('data', d => (out += d));
        child.on('close', c => resolve({ code: c, out }));
      });
      expect(code, out).toBe(0);
      expect(Date.now() - started).toBeLessThan(60_000);
      const m = new RegExp(`^Final ${info.metric}: ([0-9.eE+-]+)$`, 'm').exec(
        out
      );
      expect(m, out).not.toBeNull();
      if (info.id === 'spirals-mlp') expect(Number(m![1])).toBeGreaterThan(0.9);
      // The fallback for programs without jaxlab.log(): their printed
      // "step N: loss X" lines are series too, and nothing else is.
      expect(await parsedStepLines(out), out).toEqual(STEP_LINES[info.id]);
    });
  }
});
