import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labPaths } from './lab-paths.js';

describe('labPaths()', () => {
  it('should find the checkout: its workspace, Python, harness and samples', () => {
    const paths = labPaths({});
    const manifest = JSON.parse(
      readFileSync(path.join(paths.root, 'package.json'), 'utf8')
    );
    expect(manifest.workspaces).toContain('paths');
    expect(existsSync(paths.python)).toBe(true);
    expect(paths.venvBin('python')).toBe(paths.python);
    expect(existsSync(path.join(paths.harnessSrc, 'jaxlab_harness'))).toBe(
      true
    );
    expect(
      existsSync(path.join(paths.samplesDir, 'spirals-mlp', 'main.py'))
    ).toBe(true);
    expect(paths.dataDir).toBe(path.join(paths.root, '.jaxlab'));
  });

  it('should take the data folder from JAXLAB_DATA_DIR, resolved', () => {
    expect(labPaths({ JAXLAB_DATA_DIR: '/srv/lab' }).dataDir).toBe('/srv/lab');
    expect(labPaths({ JAXLAB_DATA_DIR: 'rel' }).dataDir).toBe(
      path.resolve('rel')
    );
  });
});
