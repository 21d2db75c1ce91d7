import { describe, expect, it } from 'vitest';
import { checkProgram, makeRunnable } from './harness-commands.js';

describe('checkProgram()', () => {
  it('should name the construct the kernel would refuse, in the file it is in', async () => {
    const violations = await checkProgram(
      {
        'main.py':
          'import models\nmodel = models.MLP()\n\ndef main():\n    pass\n',
        'models.py': 'class MLP:\n    pass\n'
      },
      '',
      ['main']
    );
    expect(violations).toEqual([
      expect.objectContaining({
        file: 'main.py',
        line: 2,
        column: 9,
        endLine: 2,
        endColumn: 21,
        rule: 'user-code-at-load'
      })
    ]);
    expect(violations[0]!.message).toContain('your class MLP (models.py)');
    expect(violations[0]!.hint).toContain('Make it runnable');
  });

  it('should accept what people write: stdlib imports, library calls, config', async () => {
    const code = [
      'import os',
      'os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"',
      'import argparse',
      'import jax',
      'import optax',
      'optimizer = optax.adam(1e-3)',
      'key = jax.random.PRNGKey(0)',
      '',
      'def main(steps=10):',
      '    print(steps)',
      ''
    ].join('\n');
    expect(await checkProgram({ 'main.py': code }, '', ['main'])).toEqual([]);
  });
});

describe('makeRunnable()', () => {
  it('should move top-level work into main() and say what it moved', async () => {
    const result = await makeRunnable(
      'import jax.numpy as jnp\n\nx = jnp.arange(3)\nfor v in x:\n    print(v)\n'
    );
    expect(result.changed).toBe(true);
    expect(result.movedLines).toEqual([[4, 5]]);
    expect(result.source).toContain('def main():');
    expect(result.source).toContain('    for v in x:\n        print(v)\n');
    expect(result.violations).toEqual([]);
  });

  it('should leave a program that already runs alone', async () => {
    const result = await makeRunnable('def main():\n    return 1\n');
    expect(result.changed).toBe(false);
    expect(result.source).toBe('def main():\n    return 1\n');
  });
});
