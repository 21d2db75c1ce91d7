import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/start-lab.mjs';

// The labextension as `scripts/bootstrap.sh` builds it (webpack, production).
const STATIC = join(
  REPO_ROOT,
  'lab-extension/jaxlab_lab_extension/labextension/static'
);

function bundleText(): string {
  return readdirSync(STATIC)
    .filter(name => name.endsWith('.js'))
    .map(name => readFileSync(join(STATIC, name), 'utf8'))
    .join('\n');
}

describe('the built labextension', () => {
  it('should check answers with the precompiled checks and ship no ajv compiler', () => {
    const text = bundleText();
    const has = (what: string): boolean => text.includes(what);
    // A message of the precompiled checks (@jaxlab/schemas/contract)...
    expect(has('must have required property')).toBe(true);
    // ...and none of ajv's compiler (ajv/dist/core.js, compile/util.js).
    expect(has('schema is invalid: ')).toBe(false);
    expect(has('strict mode: ')).toBe(false);
  });
});
