import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  EnvironmentBuilder,
  hostConstraints,
  validateRequirements
} from '../../src/jobs/index.js';

const execFileAsync = promisify(execFile);
const PYTHON = fileURLToPath(
  new URL('../../../.venv/bin/python', import.meta.url)
);

describe('EnvironmentBuilder.build()', () => {
  let dataDir: string;
  let builder: EnvironmentBuilder;

  beforeAll(() => {
    dataDir = mkdtempSync('/tmp/jl-env-');
    builder = new EnvironmentBuilder({ dataDir, python: PYTHON });
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should build no environment for empty requirements', async () => {
    const { sanitized } = validateRequirements('# nothing\n\n');
    expect(await builder.build(sanitized)).toBeNull();
    expect(existsSync(path.join(dataDir, 'envs'))).toBe(false);
  });

  it('should install a wheel in the sandbox and reuse it by hash', async () => {
    const { sanitized } = validateRequirements('Six  # pure python\n');
    const output: string[] = [];
    const built = await builder.build(sanitized, {
      onOutput: (_stream, text) => output.push(text)
    });
    expect(built).not.toBeNull();
    expect(built!.reused).toBe(false);
    expect(built!.dir).toBe(path.join(dataDir, 'envs', built!.sha256));
    expect(Object.keys(built!.packages)).toEqual(['six']);
    expect(output.join('')).toContain('Successfully installed six');
    // Only the finished environment is left: no temporary build folders.
    expect(readdirSync(path.join(dataDir, 'envs'))).toEqual([built!.sha256]);

    // The kernel's python (isolated mode) imports from the folder when it is
    // on sys.path.
    const { stdout } = await execFileAsync(PYTHON, [
      '-I',
      '-c',
      `import sys; sys.path.append(${JSON.stringify(built!.sitePackagesDir)}); import six; print(six.__version__)`
    ]);
    expect(stdout.trim()).toBe(built!.packages.six);

    const started = Date.now();
    const again = await builder.build(validateRequirements('six').sanitized);
    expect(again!.reused).toBe(true);
    expect(again!.sha256).toBe(built!.sha256);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should share one build between concurrent requests of one hash', async () => {
    const { sanitized } = validateRequirements('tomli');
    const [a, b] = await Promise.all([
      builder.build(sanitized),
      builder.build(sanitized)
    ]);
    expect(a!.sha256).toBe(b!.sha256);
    expect(a!.packages).toHaveProperty('tomli');
    expect(
      readdirSync(path.join(dataDir, 'envs')).filter(n => n.startsWith('.tmp'))
    ).toEqual([]);
  });

  it('should let the first of two racing builders (processes) win the rename', async () => {
    // Two builders share nothing but the folder, as two gateways would.
    const { sanitized } = validateRequirements('six==1.16.0');
    const other = new EnvironmentBuilder({ dataDir, python: PYTHON });
    const [a, b] = await Promise.all([
      builder.build(sanitized),
      other.build(sanitized)
    ]);
    expect(a!.dir).toBe(b!.dir);
    expect([a!.reused, b!.reused].sort()).toEqual([false, true]);
    expect(a!.packages).toEqual({ six: '1.16.0' });
    expect(
      readdirSync(path.join(dataDir, 'envs')).filter(n => n.startsWith('.tmp'))
    ).toEqual([]);
  });

  it('should keep jax pinned to the host version', async () => {
    const host = await builder.host();
    expect(hostConstraints(host)).toContain(`jax==${host.packages.jax}`);
    const { sanitized } = validateRequirements('jax==0.4.1');
    await expect(builder.build(sanitized)).rejects.toMatchObject({
      code: 'REQUIREMENTS_REJECTED'
    });
  });

  it('should reject a project that does not exist', async () => {
    const { sanitized } = validateRequirements('jaxlab-no-such-project-7f3a');
    await expect(builder.build(sanitized)).rejects.toMatchObject({
      code: 'REQUIREMENTS_REJECTED'
    });
    expect(
      readdirSync(path.join(dataDir, 'envs')).filter(n => n.startsWith('.tmp'))
    ).toEqual([]);
  });
});
