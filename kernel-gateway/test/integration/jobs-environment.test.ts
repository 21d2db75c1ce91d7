import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import {
  EnvironmentBuilder,
  hostConstraints,
  IndexProxy,
  pipSandboxArgv
} from '@jaxlab/kernel-gateway';
import { validateRequirements } from '@jaxlab/schemas';

const execFileAsync = promisify(execFile);
const PYTHON = labPaths().python;

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

describe('the pip sandbox', () => {
  it('should have no network but the index proxy, whose tunnels reach only the package index', async () => {
    const dir = mkdtempSync('/tmp/jl-pipnet-');
    const buildDir = path.join(dir, 'build');
    const cacheDir = path.join(dir, 'cache');
    mkdirSync(buildDir);
    mkdirSync(cacheDir);
    const proxy = new IndexProxy();
    await proxy.listen(path.join(dir, 'index.sock'));
    // Run where pip would run, with the same `--proxy <url>` appended.
    const probe = [
      'import socket, sys',
      'port = int(sys.argv[-1].rsplit(":", 1)[1])',
      'try:',
      '    socket.create_connection(("151.101.0.223", 443), timeout=5)',
      '    print("direct: ESCAPED")',
      'except OSError as error:',
      '    print("direct: refused", type(error).__name__)',
      'for target in ("example.com:443", "pypi.org:443"):',
      '    s = socket.create_connection(("127.0.0.1", port), timeout=20)',
      '    s.sendall(b"CONNECT " + target.encode() + b" HTTP/1.1\\r\\n\\r\\n")',
      '    print(target, s.recv(200).split(b"\\r\\n")[0].decode())',
      '    s.close()'
    ].join('\n');
    try {
      const argv = pipSandboxArgv({
        python: PYTHON,
        buildDir,
        cacheDir,
        readOnlyFiles: [],
        indexProxySocket: path.join(dir, 'index.sock'),
        command: [PYTHON, '-I', '-c', probe]
      });
      const { stdout } = await execFileAsync(argv[0]!, argv.slice(1), {
        timeout: 60_000
      });
      expect(stdout).toMatch(/^direct: refused OSError/m);
      expect(stdout).toContain('example.com:443 HTTP/1.1 403 Forbidden');
      expect(stdout).toContain(
        'pypi.org:443 HTTP/1.1 200 Connection established'
      );
      expect(proxy.refused).toEqual(['CONNECT example.com:443']);
    } finally {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
