import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('jaxlab_lint.py rule table', () => {
  it('should pass its positive and negative case for every rule (pytest)', () => {
    const run = spawnSync(
      `${ROOT}.venv/bin/python`,
      ['-m', 'pytest', 'server/python/tests', '-q', '-p', 'no:cacheprovider'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000
      }
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/\d+ passed/);
  });
});
