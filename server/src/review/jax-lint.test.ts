import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CodeReviewer } from './code-reviewer.js';
import { runJaxLint } from './jax-lint.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function fakePython(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jxl-py-'));
  dirs.push(dir);
  const path = join(dir, 'python');
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('runJaxLint()', () => {
  it('should find print inside jit with its line and column', async () => {
    const code = [
      'import jax',
      '',
      '@jax.jit',
      'def f(x):',
      '    y = x * 2',
      '    print(y)',
      '    return y',
      ''
    ].join('\n');
    expect(await runJaxLint(code)).toEqual([
      expect.objectContaining({
        rule: 'JAX008',
        line: 6,
        column: 5,
        severity: 'warning'
      })
    ]);
  });

  it('should never execute the code it lints', async () => {
    const marker = join(tmpdir(), `jxl-executed-${process.pid}`);
    const findings = await runJaxLint(
      `open(${JSON.stringify(marker)}, "w").write("ran")\nimport os\nos.system("touch ${marker}")\n`
    );
    expect(findings).toEqual([]);
    await expect(
      import('node:fs/promises').then(fs => fs.stat(marker))
    ).rejects.toThrow();
  });

  it('should give up on a linter that hangs', async () => {
    const python = await fakePython('sleep 10');
    const err = await runJaxLint('x = 1\n', {
      pythonPath: python,
      timeoutMs: 300
    }).catch(e => e);
    expect(err.code).toBe('INTERNAL');
  });

  it('should refuse output over the cap and malformed findings', async () => {
    const loud = await fakePython('yes "{}"');
    expect(
      (
        await runJaxLint('x = 1\n', {
          pythonPath: loud,
          maxOutputBytes: 10_000
        }).catch(e => e)
      ).code
    ).toBe('INTERNAL');
    const bad = await fakePython(
      'cat >/dev/null; echo \'{"findings": [{"rule": "rm -rf", "line": 1}]}\''
    );
    expect(
      (await runJaxLint('x = 1\n', { pythonPath: bad }).catch(e => e)).code
    ).toBe('INTERNAL');
  });
});

describe('CodeReviewer.review()', () => {
  it('should still answer when the lint cannot run', async () => {
    const review = await new CodeReviewer({
      lint: { pythonPath: '/nonexistent/python' }
    }).review({ code: 'x = 1\n' });
    expect(review.findings).toEqual([]);
    expect(review.markdown).toContain('could not run');
    expect(review.ai.status).toBe('disabled');
  });
});
