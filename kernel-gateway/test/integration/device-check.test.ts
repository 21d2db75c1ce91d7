import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import { labPaths } from '@jaxlab/paths';

const { root: ROOT, venvDir: VENV } = labPaths();

/**
 * bench/device-check.sh's driver on this machine's CPU (the script's
 * `run --cpu` does the same from its bundle): the gateway's runner with the
 * probe, slots, bubblewrap and compile cache runs the samples as jobs, and
 * plain python runs them too, into an evidence file.
 */
describe('bench/device-check/check.mjs on the CPU', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'jx-devcheck-'));

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('should run both samples in the sandbox and unsandboxed and write evidence with its figures', async () => {
    await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'bench/device-check/check.mjs'),
        '--venv',
        VENV,
        '--samples',
        path.join(ROOT, 'server/src/samples'),
        '--out',
        out,
        '--accelerator',
        'cpu',
        '--size',
        '256',
        '--repeats',
        '5',
        '--dtype',
        'float32',
        '--runs',
        '2'
      ],
      { cwd: ROOT, timeout: 240_000 }
    );
    const [file] = readdirSync(out);
    expect(file).toMatch(/^\d{4}-\d\d-\d\d-cpu\.json$/);
    const evidence = JSON.parse(readFileSync(path.join(out, file!), 'utf8'));
    expect(evidence.accelerators).toEqual([
      { kind: 'cpu', count: 1, deviceKind: 'cpu' }
    ]);
    for (const run of [
      ...evidence.matmul.sandboxed,
      ...evidence.spirals.sandboxed
    ]) {
      expect(run.status, JSON.stringify(run.failure)).toBe('COMPLETED');
    }
    expect(evidence.device).toMatchObject({ platform: 'cpu' });
    expect(evidence.versions.jax).toMatch(/^\d+\.\d+/);
    expect(evidence.figures.sandboxedTflops).toBeGreaterThan(0);
    expect(evidence.figures.unsandboxedTflops).toBeGreaterThan(0);
    expect(evidence.figures.spiralsCacheHits[1]).toBeGreaterThan(0);
    expect(evidence.figures.spiralsCachedCompileRatio).toBeLessThan(0.5);
  }, 300_000);
});
