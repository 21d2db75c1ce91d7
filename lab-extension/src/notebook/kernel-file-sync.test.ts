import type { Project } from '@jaxlab/schemas/contract';
import { describe, expect, it } from 'vitest';
import { KernelFileSync, notebookWrittenFiles } from './kernel-file-sync.js';

function project(mainPy: string, files: Array<[string, string]>): Project {
  return {
    mainPy,
    requirements: '',
    files: files.map(([path, content]) => ({ path, content }))
  } as Project;
}

describe('KernelFileSync', () => {
  it('should send a kernel every file first, then only what changed and what is gone', () => {
    const sync = new KernelFileSync();
    const first = project('import models\n', [
      ['models.py', 'A = 1\n'],
      ['utils/data.py', 'B = 1\n']
    ]);
    expect(sync.changeFor('k1', first)).toEqual({
      files: {
        'main.py': 'import models\n',
        'requirements.txt': '',
        'models.py': 'A = 1\n',
        'utils/data.py': 'B = 1\n'
      },
      remove: []
    });
    sync.written('k1', first);
    expect(sync.changeFor('k1', first)).toBeNull();
    const second = project('import nets\n', [
      ['nets.py', 'A = 1\n'],
      ['utils/data.py', 'B = 1\n']
    ]);
    expect(sync.changeFor('k1', second)).toEqual({
      files: { 'main.py': 'import nets\n', 'nets.py': 'A = 1\n' },
      remove: ['models.py']
    });
    // Another kernel, or this one after a restart, gets everything.
    expect(Object.keys(sync.changeFor('k2', second)!.files!)).toHaveLength(4);
    sync.forget('k1');
    expect(Object.keys(sync.changeFor('k1', second)!.files!)).toHaveLength(4);
  });
});

describe('notebookWrittenFiles()', () => {
  it("should leave the files a notebook's %%writefile cells write to the notebook", () => {
    const own = notebookWrittenFiles([
      '# Heading',
      '%%writefile main.py\ndef main():\n    pass\n',
      '%%writefile -a utils/data.py\nB = 2\n',
      'main()',
      'print("%%writefile not.py")'
    ]);
    expect([...own]).toEqual(['main.py', 'utils/data.py']);
    const sync = new KernelFileSync();
    const bound = project('import models\n', [
      ['models.py', 'A = 1\n'],
      ['utils/data.py', 'B = 1\n']
    ]);
    expect(sync.changeFor('k1', bound, own)).toEqual({
      files: { 'requirements.txt': '', 'models.py': 'A = 1\n' },
      remove: []
    });
  });
});
