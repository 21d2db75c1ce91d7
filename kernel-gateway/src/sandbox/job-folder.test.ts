import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  jobFolderUsage,
  mountJobFolder,
  removeJobFolder
} from './job-folder.js';

const isRoot = process.getuid?.() === 0;

describe('removeJobFolder()', () => {
  let base: string;

  beforeEach(() => {
    base = mkdtempSync(path.join(tmpdir(), 'jl-jf-'));
  });

  afterEach(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('should remove a plain folder and what is in it, without following a link out of it', async () => {
    const outside = path.join(base, 'outside.txt');
    writeFileSync(outside, 'keep me');
    const dir = path.join(base, 'job');
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'b', 'f'), 'x');
    symlinkSync(base, path.join(dir, 'link-out'));
    await removeJobFolder(dir);
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(outside)).toBe(true);
    expect(await jobFolderUsage(base)).toBeUndefined();
  });

  it.runIf(isRoot)(
    'should give a folder its own quota, report its use, and unmount it on removal',
    async () => {
      const dir = path.join(base, 'job');
      mkdirSync(dir);
      await mountJobFolder(
        dir,
        { maxBytes: 1024 * 1024, maxFiles: 10 },
        { uid: 0, gid: 0 }
      );
      const empty = (await jobFolderUsage(dir))!;
      expect(empty).toMatchObject({
        maxBytes: 1024 * 1024,
        maxFiles: 10,
        usedFiles: 0,
        isFull: false
      });
      for (let i = 0; i < 10; i++) writeFileSync(path.join(dir, `f${i}`), '');
      expect(() => writeFileSync(path.join(dir, 'one-too-many'), '')).toThrow(
        /ENOSPC/
      );
      expect((await jobFolderUsage(dir))!).toMatchObject({
        usedFiles: 10,
        isFull: true
      });
      await removeJobFolder(dir);
      expect(existsSync(dir)).toBe(false);
    }
  );
});
