import { describe, expect, it } from 'vitest';

import { isJaxLabError } from '../errors.js';
import type { RequirementsRule } from '../generated/types.js';
import { isValid } from '../validate.js';

import { normalizeProjectName } from './requirement.js';
import { validateRequirements } from './requirements-validator.js';

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

/** [requirements.txt, line the error must name, rule it breaks] triples that must be rejected. */
const REJECTED: [string, number, RequirementsRule][] = [
  ['-r other.txt', 1, 'option'],
  ['six\n-e .', 2, 'option'],
  ['--editable git+https://github.com/x/y', 1, 'option'],
  ['--index-url https://evil.example/simple', 1, 'option'],
  ['-i https://evil.example/simple', 1, 'option'],
  ['--extra-index-url https://evil.example/simple', 1, 'option'],
  ['-c constraints.txt', 1, 'option'],
  ['--find-links /tmp', 1, 'option'],
  ['--trusted-host example.com', 1, 'option'],
  ['--pre', 1, 'option'],
  ['six --hash=sha256:abcd', 1, 'requirement-option'],
  ['six --global-option=build_ext', 1, 'requirement-option'],
  ['pkg @ https://example.com/pkg-1.0.whl', 1, 'direct-reference'],
  ['pkg@file:///tmp/pkg', 1, 'direct-reference'],
  ['https://example.com/pkg-1.0-py3-none-any.whl', 1, 'url'],
  ['git+https://github.com/x/y.git', 1, 'url'],
  ['./local/pkg', 1, 'local-path'],
  ['../pkg', 1, 'local-path'],
  ['/abs/path/pkg', 1, 'local-path'],
  ['pkg-1.0-py3-none-any.whl', 1, 'local-path'],
  ['pkg.tar.gz', 1, 'local-path'],
  ['.', 1, 'local-path'],
  ['pkg==${VERSION}', 1, 'environment-variable'],
  ['${PKG}', 1, 'environment-variable'],
  ['six \\', 1, 'line-continuation'],
  ['six==', 1, 'syntax'],
  ['six=1.0', 1, 'syntax'],
  ['six==not a version', 1, 'syntax'],
  ['six>=1.0.*', 1, 'syntax'],
  ['six~=1', 1, 'syntax'],
  ['six[', 1, 'syntax'],
  ['six[a,]', 1, 'syntax'],
  ['six ; ', 1, 'syntax'],
  ['six; python_version', 1, 'syntax'],
  ['six; evil_var == "1"', 1, 'syntax'],
  ['six; python_version < "3.11" and', 1, 'syntax'],
  ['-pkg', 1, 'option'],
  ['six tomli', 1, 'syntax'],
  ['ok\nok2\nsix é', 3, 'non-ascii'],
  ['x'.repeat(1001), 1, 'line-too-long']
];

describe('validateRequirements()', () => {
  it.each(ACCEPTED)('should accept %j', (text, sanitized) => {
    expect(validateRequirements(text).sanitized).toBe(sanitized);
  });

  it.each(REJECTED)(
    'should reject %j naming line %i and rule %s',
    (text, line, rule) => {
      let error: unknown;
      try {
        validateRequirements(text);
      } catch (e) {
        error = e;
      }
      expect(isJaxLabError(error)).toBe(true);
      const jaxlabError = error as {
        code: string;
        hint: string;
        details: unknown;
      };
      expect(jaxlabError.code).toBe('REQUIREMENTS_REJECTED');
      expect(jaxlabError.details).toEqual({ line, rule });
      expect(isValid('requirements-rejection', jaxlabError.details)).toBe(true);
      expect(jaxlabError.hint).toBeTruthy();
    }
  );

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
      expect.objectContaining({
        code: 'REQUIREMENTS_REJECTED',
        details: { line: 201, rule: 'too-many-requirements' }
      })
    );
  });
});

describe('normalizeProjectName()', () => {
  it('should follow PEP 503', () => {
    expect(normalizeProjectName('Friendly-Bard')).toBe('friendly-bard');
    expect(normalizeProjectName('FRIENDLY._-BARD')).toBe('friendly-bard');
  });
});
