import { describe, expect, it } from 'vitest';

import { isJaxLabError } from '@jaxlab/schemas';

import {
  normalizeProjectName,
  validateRequirements
} from './requirements-validator.js';

/** [requirements.txt, sanitised output] pairs that must be accepted. */
const ACCEPTED: [string, string][] = [
  ['', ''],
  ['\n\n   \n', ''],
  ['# only a comment\n  # another', ''],
  ['six', 'six\n'],
  ['Six', 'six\n'],
  ['Foo.Bar__baz', 'foo-bar-baz\n'],
  ['optax>=0.2', 'optax>=0.2\n'],
  ['optax >= 0.2 , < 0.3', 'optax>=0.2,<0.3\n'],
  ['optax (>=0.2,<0.3)', 'optax>=0.2,<0.3\n'],
  ['numpy==1.26.*', 'numpy==1.26.*\n'],
  ['numpy!=1.25.*', 'numpy!=1.25.*\n'],
  ['flax~=0.8', 'flax~=0.8\n'],
  ['tomli===2.0.1', 'tomli===2.0.1\n'],
  ['pkg==1.0rc1', 'pkg==1.0rc1\n'],
  ['pkg==1.0.post2.dev3', 'pkg==1.0.post2.dev3\n'],
  ['pkg==2!1.0+local.1', 'pkg==2!1.0+local.1\n'],
  ['requests[Security,socks]>=2', 'requests[security,socks]>=2\n'],
  ['requests[ socks ]', 'requests[socks]\n'],
  ['six  # trailing comment', 'six\n'],
  ['tomli; python_version < "3.11"', 'tomli; python_version < "3.11"\n'],
  [
    "pkg>=1 ; (sys_platform == 'linux' and platform_machine in 'x86_64 aarch64') or os_name != 'nt'",
    "pkg>=1; (sys_platform == 'linux' and platform_machine in 'x86_64 aarch64') or os_name != 'nt'\n"
  ],
  ["pkg; 'linux' not in sys_platform", "pkg; 'linux' not in sys_platform\n"],
  ['six\r\ntomli\r\n', 'six\ntomli\n'],
  ['a\n\n# c\nb==1', 'a\nb==1\n']
];

/** [requirements.txt, line the error must name] pairs that must be rejected. */
const REJECTED: [string, number][] = [
  ['-r other.txt', 1],
  ['six\n-e .', 2],
  ['--editable git+https://github.com/x/y', 1],
  ['--index-url https://evil.example/simple', 1],
  ['-i https://evil.example/simple', 1],
  ['--extra-index-url https://evil.example/simple', 1],
  ['-c constraints.txt', 1],
  ['--find-links /tmp', 1],
  ['--trusted-host example.com', 1],
  ['--pre', 1],
  ['six --hash=sha256:abcd', 1],
  ['six --global-option=build_ext', 1],
  ['pkg @ https://example.com/pkg-1.0.whl', 1],
  ['pkg@file:///tmp/pkg', 1],
  ['https://example.com/pkg-1.0-py3-none-any.whl', 1],
  ['git+https://github.com/x/y.git', 1],
  ['./local/pkg', 1],
  ['../pkg', 1],
  ['/abs/path/pkg', 1],
  ['pkg-1.0-py3-none-any.whl', 1],
  ['pkg.tar.gz', 1],
  ['.', 1],
  ['pkg==${VERSION}', 1],
  ['${PKG}', 1],
  ['six \\', 1],
  ['six==', 1],
  ['six=1.0', 1],
  ['six==not a version', 1],
  ['six>=1.0.*', 1],
  ['six~=1', 1],
  ['six[', 1],
  ['six[a,]', 1],
  ['six ; ', 1],
  ['six; python_version', 1],
  ['six; evil_var == "1"', 1],
  ['six; python_version < "3.11" and', 1],
  ['-pkg', 1],
  ['six tomli', 1],
  ['ok\nok2\nsix é', 3],
  ['x'.repeat(1001), 1]
];

describe('validateRequirements()', () => {
  it.each(ACCEPTED)('should accept %j', (text, sanitized) => {
    expect(validateRequirements(text).sanitized).toBe(sanitized);
  });

  it.each(REJECTED)('should reject %j naming line %i', (text, line) => {
    let error: unknown;
    try {
      validateRequirements(text);
    } catch (e) {
      error = e;
    }
    expect(isJaxLabError(error)).toBe(true);
    const jaxlabError = error as {
      code: string;
      hint?: string;
      details: { line: number };
    };
    expect(jaxlabError.code).toBe('REQUIREMENTS_REJECTED');
    expect(jaxlabError.details.line).toBe(line);
    expect(jaxlabError.hint).toBeTruthy();
  });

  it('should return the parts of each requirement with its line', () => {
    const { requirements } = validateRequirements(
      '# deps\nJAX_Extra[B,a]>=1,<2; python_version >= "3.10"'
    );
    expect(requirements).toEqual([
      {
        line: 2,
        name: 'jax-extra',
        extras: ['a', 'b'],
        specifier: '>=1,<2',
        marker: 'python_version >= "3.10"'
      }
    ]);
  });

  it('should reject more than 200 requirements', () => {
    const text = Array.from({ length: 201 }, (_, i) => `p${i}`).join('\n');
    expect(() => validateRequirements(text)).toThrow(
      expect.objectContaining({ code: 'REQUIREMENTS_REJECTED' })
    );
  });
});

describe('normalizeProjectName()', () => {
  it('should follow PEP 503', () => {
    expect(normalizeProjectName('Friendly-Bard')).toBe('friendly-bard');
    expect(normalizeProjectName('FRIENDLY._-BARD')).toBe('friendly-bard');
  });
});
