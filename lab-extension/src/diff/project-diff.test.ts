import type { Job } from '@jaxlab/schemas/contract';
import { describe, expect, it } from 'vitest';
import { projectDiff } from './project-diff.js';

function job(
  code: string,
  files: Array<[string, string]> = [],
  requirements = ''
): Job {
  return {
    code,
    requirements,
    files: files.map(([path, content]) => ({ path, content }))
  } as Job;
}

describe('projectDiff()', () => {
  it('should diff every file of two runs, main.py first, naming added and deleted files', () => {
    const a = job('import models\n', [
      ['models.py', 'DEPTH = 2\n'],
      ['utils/data.py', 'BATCH = 32\n'],
      ['old.py', 'X = 1\n']
    ]);
    const b = job(
      'import models\n',
      [
        ['models.py', 'DEPTH = 3\nWIDTH = 8\n'],
        ['utils/data.py', 'BATCH = 32\n'],
        ['new.py', 'Y = 1\n']
      ],
      'optax\n'
    );
    const diff = projectDiff(a, b);
    expect(diff.files.map(f => [f.path, f.kind, f.added, f.deleted])).toEqual([
      ['models.py', 'changed', 2, 1],
      ['new.py', 'added', 1, 0],
      ['old.py', 'deleted', 0, 1],
      ['requirements.txt', 'added', 1, 0]
    ]);
    expect(diff.unchanged).toBe(2);
    expect([diff.added, diff.deleted]).toEqual([4, 2]);
  });

  it('should read runs from before projects had files as main.py alone', () => {
    const a = { code: 'x = 1\n', requirements: '' } as Job;
    const diff = projectDiff(a, job('x = 2\n'));
    expect(diff.files.map(f => f.path)).toEqual(['main.py']);
    expect(projectDiff(a, a).files).toEqual([]);
  });
});
