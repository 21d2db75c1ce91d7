import { describe, expect, it } from 'vitest';
import { pythonLiteral } from '@jaxlab/schemas/contract';
import { parsePythonLiteral } from './python-literal.js';

describe('parsePythonLiteral()', () => {
  it('should read what a user types in the argument form', () => {
    const cases: Array<[string, unknown]> = [
      ['0.1', 0.1],
      ['-1e-3', -0.001],
      ['1_000', 1000],
      ['.5', 0.5],
      ['True', true],
      ['None', null],
      ["'adam'", 'adam'],
      ['"it\'s"', "it's"],
      ["'a\\nb\\x41\\u00e9'", 'a\nbAé'],
      ['[64, 64, ]', [64, 64]],
      [
        "{'lr': 1e-3, \"sched\": [1, {'x': None}]}",
        { lr: 0.001, sched: [1, { x: null }] }
      ],
      ['  42  ', 42]
    ];
    for (const [text, value] of cases) {
      expect(parsePythonLiteral(text), text).toEqual({ ok: true, value });
    }
  });

  it('should read back every literal pythonLiteral writes', () => {
    const value = {
      s: 'a\'b"c\\d\n',
      n: [1, -2.5, 1e-7],
      t: true,
      z: null,
      nested: { k: ['x'] }
    };
    expect(parsePythonLiteral(pythonLiteral(value))).toEqual({
      ok: true,
      value
    });
  });

  it('should refuse what a run could not pass, saying why', () => {
    const cases: Array<[string, RegExp]> = [
      ['(1, 2)', /tuple/],
      ['adam', /name, not a literal.*'adam'/],
      ['jnp.float32', /name/],
      ['[1, 2', /list/],
      ["'open", /not closed/],
      ['{1: 2}', /keys must be strings/],
      ['1 2', /unexpected/],
      ['', /missing/],
      ['1e999', /too large/],
      ['12345678901234567890', /too large/]
    ];
    for (const [text, error] of cases) {
      const parsed = parsePythonLiteral(text);
      expect(parsed.ok, text).toBe(false);
      expect(!parsed.ok && parsed.error, text).toMatch(error);
    }
  });
});
