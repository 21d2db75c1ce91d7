import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { walkOutputs } from './output-walker.js';

const SECRET = 'the HMAC key of connection.json';

/**
 * Swaps outputs/data.csv between a plain file and a symlink to the secret,
 * and outputs/sub between a folder and a symlink to the job folder, as fast
 * as it can (atomic renames), until killed.
 */
const RACER = `
import os, sys
job = sys.argv[1]
out = os.path.join(job, "outputs")
os.makedirs(os.path.join(out, "subdir"), exist_ok=True)
with open(os.path.join(out, "subdir", "inner.txt"), "w") as f:
    f.write("inner")
print("ready", flush=True)
i = 0
while True:
    i += 1
    tmp = os.path.join(out, f".tmp{i % 2}")
    if i % 2:
        os.symlink(os.path.join(job, "secret.txt"), tmp)
        os.replace(tmp, os.path.join(out, "data.csv"))
        os.symlink(job, tmp)
        os.replace(tmp, os.path.join(out, "sub"))
    else:
        with open(tmp, "w") as f:
            f.write("a,b\\n1,2\\n")
        os.replace(tmp, os.path.join(out, "data.csv"))
        try:
            os.unlink(os.path.join(out, "sub"))
        except FileNotFoundError:
            pass
        os.rename(os.path.join(out, "subdir"), os.path.join(out, "sub"))
        os.rename(os.path.join(out, "sub"), os.path.join(out, "subdir"))
`;

describe('walkOutputs()', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('should never read through a link, even while the kernel swaps files for links under it', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'jl-walk-'));
    writeFileSync(path.join(dir, 'secret.txt'), SECRET);
    mkdirSync(path.join(dir, 'outputs'));
    const racer = spawn('python3', ['-c', RACER, dir], {
      stdio: ['ignore', 'pipe', 'inherit']
    });
    try {
      await new Promise<void>(resolve =>
        racer.stdout!.once('data', () => resolve())
      );
      const seen = new Set<string>();
      for (let round = 0; round < 300; round++) {
        for await (const entry of walkOutputs(dir)) {
          if (entry.kind === 'skipped') {
            seen.add(`${entry.name}:${entry.reason}`);
            continue;
          }
          const text = (await entry.handle.readFile()).toString();
          await entry.handle.close();
          expect(text).not.toContain(SECRET);
          expect(entry.name.startsWith('sub/') ? entry.name : '').not.toMatch(
            /secret/
          );
          seen.add(`${entry.name}:file`);
        }
      }
      // The race was real: both sides of the swap were met.
      expect(seen.has('data.csv:file')).toBe(true);
      expect(seen.has('data.csv:link')).toBe(true);
    } finally {
      racer.kill('SIGKILL');
    }
  });

  it('should skip FIFOs and sockets without blocking, and yield nothing without outputs/', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'jl-walk-'));
    const empty = [];
    for await (const entry of walkOutputs(dir)) empty.push(entry);
    expect(empty).toEqual([]);
    mkdirSync(path.join(dir, 'outputs'));
    const made = spawn('python3', [
      '-c',
      `import os, socket; os.mkfifo("${dir}/outputs/fifo"); s = socket.socket(socket.AF_UNIX); s.bind("${dir}/outputs/sock")`
    ]);
    await new Promise(resolve => made.once('close', resolve));
    const entries = [];
    for await (const entry of walkOutputs(dir)) entries.push(entry);
    expect(entries).toEqual([
      { kind: 'skipped', name: 'fifo', reason: 'not-a-regular-file' },
      { kind: 'skipped', name: 'sock', reason: 'not-a-regular-file' }
    ]);
  });
});
