import { describe, expect, it } from 'vitest';
import type { JaxLabError, ProjectFile } from './index.js';
import {
  PROJECT_FILE_LIMITS,
  checkProjectFiles,
  isValid,
  projectFilePathProblem,
  shapeErrors
} from './index.js';

/** The rule `fn` throws PROJECT_FILE_REJECTED for, or null. */
function ruleOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    const e = error as JaxLabError;
    expect(e.code).toBe('PROJECT_FILE_REJECTED');
    expect(e.httpStatus).toBe(400);
    expect(isValid('project-file-rejection', e.details)).toBe(true);
    return (e.details as { rule: string }).rule;
  }
}

const file = (path: string, content = ''): ProjectFile => ({ path, content });

const ACCEPTED = [
  'models.py',
  'input_pipeline.py',
  'utils/__init__.py',
  'utils/data.py',
  'a/b/c/d/deep.py',
  'configs/base.yaml',
  'notes.md',
  'data/points.csv',
  'train-config.json',
  'my-module.v2.py',
  'x.py',
  `${'n'.repeat(61)}.py`,
  `${'f'.repeat(64)}/x.txt`
];

const REFUSED: Array<[string, string]> = [
  ['', 'empty'],
  ['/etc/passwd.txt', 'absolute'],
  ['../escape.py', 'parent'],
  ['utils/../../x.py', 'parent'],
  ['./x.py', 'parent'],
  ['.hidden.py', 'hidden'],
  ['.git/config.txt', 'hidden'],
  ['utils/.env.txt', 'hidden'],
  ['with space.py', 'characters'],
  ['back\\slash.py', 'characters'],
  ['ünïcode.py', 'characters'],
  ['pkg.v2/x.py', 'characters'],
  ['a//b.py', 'characters'],
  ['trailing/', 'characters'],
  [`${'n'.repeat(62)}.py`, 'too-long'],
  [`${'d'.repeat(65)}/x.py`, 'too-long'],
  [`${'a/'.repeat(99)}x.py`, 'too-long'],
  ['a/b/c/d/e/too_deep.py', 'too-deep'],
  ['model.pyc', 'extension'],
  ['run.sh', 'extension'],
  ['Makefile', 'extension'],
  ['MODELS.PY', 'extension'],
  ['main.py', 'reserved'],
  ['README.md', 'reserved'],
  ['requirements.txt', 'reserved'],
  ['outputs/result.csv', 'reserved'],
  ['__pycache__/models.py', 'reserved'],
  ['sitecustomize.py', 'reserved'],
  ['usercustomize.py', 'reserved']
];

describe('projectFilePathProblem()', () => {
  it('should accept module, package and data file paths', () => {
    for (const path of ACCEPTED) {
      expect(projectFilePathProblem(path), path).toBeNull();
    }
  });

  it('should name the rule a refused path breaks', () => {
    for (const [path, rule] of REFUSED) {
      expect(projectFilePathProblem(path)?.rule, path).toBe(rule);
    }
  });

  it('should accept exactly what the ProjectFilePath schema accepts, in ajv and in the browser checks', () => {
    const paths = [
      ...ACCEPTED,
      ...REFUSED.map(([path]) => path),
      'utils/main.py',
      'docs/README.md',
      'sub/sitecustomize.py',
      'outputs.py',
      'a..py',
      '_.py',
      'x.',
      '.py',
      'py'
    ];
    for (const path of paths) {
      const accepted = projectFilePathProblem(path) === null;
      expect(isValid('project-file', file(path)), path).toBe(accepted);
      expect(shapeErrors('project', projectWith([file(path)])), path).toEqual(
        accepted ? [] : expect.arrayContaining([expect.any(String)])
      );
    }
  });
});

describe('checkProjectFiles()', () => {
  it('should accept a project of several files', () => {
    expect(
      ruleOf(() =>
        checkProjectFiles(
          [file('models.py', 'class MLP: pass\n'), file('utils/__init__.py')],
          { mainPy: 'from models import MLP\n' }
        )
      )
    ).toBeNull();
  });

  it('should refuse a path twice, too many files, a large file and a large project', () => {
    expect(ruleOf(() => checkProjectFiles([file('a.py'), file('a.py')]))).toBe(
      'duplicate'
    );
    const many = Array.from(
      { length: PROJECT_FILE_LIMITS.maxFiles - 2 },
      (_, i) => file(`m${i}.py`)
    );
    expect(ruleOf(() => checkProjectFiles(many.slice(0, -1)))).toBeNull();
    expect(ruleOf(() => checkProjectFiles(many))).toBe('too-many-files');
    const big = 'x'.repeat(PROJECT_FILE_LIMITS.maxFileBytes + 1);
    expect(ruleOf(() => checkProjectFiles([file('big.py', big)]))).toBe(
      'file-too-large'
    );
    expect(ruleOf(() => checkProjectFiles([], { mainPy: big }))).toBe(
      'file-too-large'
    );
    // Bytes, not characters: 'é' is two of them.
    const half = 'é'.repeat(400_000);
    expect(
      ruleOf(() =>
        checkProjectFiles([file('a.py', half), file('b.py', 'x')], {
          readme: half
        })
      )
    ).toBe('project-too-large');
  });
});

function projectWith(files: ProjectFile[]): unknown {
  const time = '2024-01-01T00:00:00.000Z';
  return {
    id: 'p',
    owner: 'u',
    name: 'n',
    readme: '',
    mainPy: '',
    requirements: '',
    files,
    designatedFunctions: ['main'],
    accelerator: 'cpu',
    timeLimitMs: 60000,
    createdAt: time,
    updatedAt: time
  };
}
