import { execFileSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { renderDesignatedCall, renderPythonLiteral } from './python-call.js';
import { labPaths } from '@jaxlab/paths';

const PYTHON = labPaths().python;

describe('renderDesignatedCall()', () => {
  it('should render keyword arguments as Python literals', () => {
    expect(
      renderDesignatedCall('main', {
        steps: 100,
        lr: 0.01,
        name: 'run "1"',
        flags: [true, false, null],
        config: { depth: 2, 'hidden size': [64, 32] }
      })
    ).toBe(
      'main(steps=100, lr=0.01, name="run \\"1\\"", flags=[True, False, None], config={"depth": 2, "hidden size": [64, 32]})'
    );
    expect(renderDesignatedCall('train_step')).toBe('train_step()');
  });

  it('should give Python the very values of the JSON arguments', () => {
    const args = {
      text: 'quote \' " backslash \\ newline \n tab \t unicode é ✓ \u0001',
      nested: { list: [1, -2.5, 1e-7, 12345678901234], empty: {}, none: null }
    };
    const call = renderDesignatedCall('f', args);
    const script = `import ast, json, sys\ncall = ast.parse(sys.argv[1], mode='eval').body\nprint(json.dumps({k.arg: ast.literal_eval(k.value) for k in call.keywords}))`;
    const echoed = execFileSync(PYTHON, ['-I', '-c', script, call], {
      encoding: 'utf8'
    });
    expect(JSON.parse(echoed)).toEqual(args);
  });

  it('should refuse names that are not identifiers and non-finite numbers', () => {
    expect(() => renderDesignatedCall('main; import os')).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' })
    );
    expect(() => renderDesignatedCall('main', { 'a=1,b': 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' })
    );
    expect(() => renderPythonLiteral(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' })
    );
  });
});
