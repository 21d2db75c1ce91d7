import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { pythonCall, pythonLiteral } from './python-call.js';

// The checkout's Python (scripts/bootstrap.sh makes it); schemas has no
// dependency that could say where it is.
const VENV_PYTHON = fileURLToPath(
  new URL('../../.venv/bin/python', import.meta.url)
);

describe('pythonLiteral()', () => {
  it('should render JSON values as Python literals Python reads back unchanged', () => {
    const value = {
      s: 'a\'b"c\\d\n\u0001é',
      n: [1, -2.5, 1e-7],
      t: true,
      f: false,
      z: null,
      nested: { k: ['x'] }
    };
    const source = `import json,sys\nv = ${pythonLiteral(value)}\nsys.stdout.write(json.dumps(v))`;
    const result = spawnSync(VENV_PYTHON, ['-I', '-c', source], {
      encoding: 'utf8'
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(value);
    expect(pythonCall('main', {})).toBe('main()');
  });
});
