import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { removeKernelFiles, writeKernelFiles } from './kernel-files.js';

let root: string;
let kernelDir: string;
let outside: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'jxl-kf-'));
  kernelDir = path.join(root, 'kernel');
  outside = path.join(root, 'outside');
  mkdirSync(kernelDir);
  mkdirSync(outside);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const read = (p: string): string =>
  readFileSync(path.join(kernelDir, p), 'utf8');
const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: { code?: string }) => error.code
  );

describe('writeKernelFiles()', () => {
  it('should write main.py and a project of nested modules and packages', async () => {
    await writeKernelFiles(kernelDir, {
      'main.py': 'from models import MLP\n',
      'models.py': 'class MLP: ...\n',
      'utils/__init__.py': '',
      'utils/data.py': 'BATCH = 32\n',
      'a/b/c/d/deep.py': 'DEEP = True\n'
    });
    expect(read('main.py')).toBe('from models import MLP\n');
    expect(read('utils/data.py')).toBe('BATCH = 32\n');
    expect(read('a/b/c/d/deep.py')).toBe('DEEP = True\n');
    // Written again: replaced, not appended.
    await writeKernelFiles(kernelDir, { 'utils/data.py': 'BATCH = 8\n' });
    expect(read('utils/data.py')).toBe('BATCH = 8\n');
  });

  it('should refuse paths a kernel folder may not hold before writing anything', async () => {
    for (const bad of [
      '../escape.py',
      '/etc/passwd.txt',
      'utils/../../escape.py',
      '.hidden.py',
      'sitecustomize.py',
      'run.sh',
      'a/b/c/d/e/too_deep.py'
    ]) {
      expect(
        await codeOf(writeKernelFiles(kernelDir, { 'ok.py': 'x', [bad]: 'x' })),
        bad
      ).toBe('UNSAFE_PATH');
    }
    expect(readdirSync(kernelDir)).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['kernel', 'outside']);
  });

  it('should not follow a folder or a file the kernel replaced with a link', async () => {
    symlinkSync(outside, path.join(kernelDir, 'utils'));
    expect(
      await codeOf(writeKernelFiles(kernelDir, { 'utils/data.py': 'x' }))
    ).toBe('UNSAFE_PATH');
    writeFileSync(path.join(outside, 'target.py'), 'kept\n');
    symlinkSync(
      path.join(outside, 'target.py'),
      path.join(kernelDir, 'models.py')
    );
    expect(
      await codeOf(writeKernelFiles(kernelDir, { 'models.py': 'x' }))
    ).toBe('UNSAFE_PATH');
    expect(readdirSync(outside)).toEqual(['target.py']);
    expect(readFileSync(path.join(outside, 'target.py'), 'utf8')).toBe(
      'kept\n'
    );
  });

  it('should never write outside while the kernel swaps a folder for a link', async () => {
    // The kernel's race, from a process of its own: `utils` is a folder
    // one moment and a link elsewhere the next, swapped atomically
    // (renameat2 RENAME_EXCHANGE) as fast as the system allows.
    mkdirSync(path.join(kernelDir, 'utils'));
    const racer = spawn(
      'python3',
      [
        '-c',
        `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
os.symlink(sys.argv[2], "link")
while True:
    libc.renameat2(-100, b"utils", -100, b"link", 2)`,
        kernelDir,
        outside
      ],
      { stdio: 'ignore' }
    );
    let written = 0;
    try {
      await new Promise(resolve => setTimeout(resolve, 100));
      for (let i = 0; i < 1000; i++) {
        const code = await codeOf(
          writeKernelFiles(kernelDir, { [`utils/m${i}.py`]: `I = ${i}\n` })
        );
        if (code === undefined) written++;
        else expect(code).toBe('UNSAFE_PATH');
      }
    } finally {
      racer.kill('SIGKILL');
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(written).toBeGreaterThan(0);
  });
});

describe('removeKernelFiles()', () => {
  it('should remove files, ignore missing ones and never follow a link', async () => {
    await writeKernelFiles(kernelDir, {
      'models.py': 'x',
      'utils/data.py': 'y'
    });
    await removeKernelFiles(kernelDir, [
      'models.py',
      'utils/data.py',
      'gone.py',
      'nowhere/gone.py'
    ]);
    expect(existsSync(path.join(kernelDir, 'models.py'))).toBe(false);
    expect(existsSync(path.join(kernelDir, 'utils/data.py'))).toBe(false);
    writeFileSync(path.join(outside, 'data.py'), 'kept\n');
    rmSync(path.join(kernelDir, 'utils'), { recursive: true });
    symlinkSync(outside, path.join(kernelDir, 'utils'));
    expect(await codeOf(removeKernelFiles(kernelDir, ['utils/data.py']))).toBe(
      'UNSAFE_PATH'
    );
    expect(readFileSync(path.join(outside, 'data.py'), 'utf8')).toBe('kept\n');
    // A link planted as a file is removed itself, not what it points at.
    symlinkSync(path.join(outside, 'data.py'), path.join(kernelDir, 'm.py'));
    await removeKernelFiles(kernelDir, ['m.py']);
    expect(() => lstatSync(path.join(kernelDir, 'm.py'))).toThrow();
    expect(readFileSync(path.join(outside, 'data.py'), 'utf8')).toBe('kept\n');
  });
});
