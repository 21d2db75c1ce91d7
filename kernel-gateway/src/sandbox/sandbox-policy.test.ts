import { describe, expect, it } from 'vitest';

import {
  DEFAULT_RESOURCE_LIMITS,
  buildBwrapArgs,
  buildSandboxEnv
} from './sandbox-policy.js';
import type { ISandboxPolicy } from './sandbox-policy.js';

const policy: ISandboxPolicy = {
  jobDir: '/data/kernels/k1',
  venvDir: '/repo/.venv',
  pythonHome: '/root/.pyenv/versions/3.11.7',
  argv: [
    '/repo/.venv/bin/python',
    '-I',
    '-m',
    'jaxlab_harness',
    '-f',
    '/job/conn.json'
  ],
  env: {
    KERNEL_PROJECT: 'p',
    JAXLAB_DESIGNATED_FUNCTIONS: 'main',
    SECRET_TOKEN: 's'
  },
  limits: { ...DEFAULT_RESOURCE_LIMITS, tmpSizeMaxBytes: 1000 },
  uid: 65534,
  gid: 65534,
  systemPaths: [{ path: '/usr' }, { path: '/lib', symlinkTo: 'usr/lib' }]
};

/** The value following `flag` (first occurrence). */
function after(args: string[], flag: string, count = 1): string[] {
  const i = args.indexOf(flag);
  return i < 0 ? [] : args.slice(i + 1, i + 1 + count);
}

describe('buildBwrapArgs()', () => {
  const args = buildBwrapArgs(policy, { infoFd: 4 });

  it('should unshare every namespace, forbid nested user namespaces and start a new session', () => {
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--new-session',
      '--clearenv'
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--share-net');
    expect(after(args, '--uid')).toEqual(['65534']);
    expect(after(args, '--gid')).toEqual(['65534']);
  });

  it('should bind system, Python and venv read-only and only the job folder writable', () => {
    expect(after(args, '--ro-bind-try', 2)).toEqual(['/usr', '/usr']);
    expect(after(args, '--symlink', 2)).toEqual(['usr/lib', '/lib']);
    const ro = args.flatMap((a, i) => (a === '--ro-bind' ? [args[i + 1]] : []));
    expect(ro).toEqual(['/root/.pyenv/versions/3.11.7', '/repo/.venv']);
    const rw = args.flatMap((a, i) =>
      a === '--bind' || a === '--dev-bind' ? [args[i + 1]] : []
    );
    expect(rw).toEqual(['/data/kernels/k1']);
    expect(after(args, '--remount-ro')).toEqual(['/']);
  });

  it('should show the job folder at /job and the requirements at /requirements, nothing of their host paths', () => {
    const withRequirements = buildBwrapArgs({
      ...policy,
      requirementsEnvDir: '/data/envs/abc'
    });
    expect(after(withRequirements, '--bind', 2)).toEqual([
      '/data/kernels/k1',
      '/job'
    ]);
    expect(after(withRequirements, '--chdir')).toEqual(['/job']);
    expect(
      withRequirements.slice(
        withRequirements.indexOf('/data/envs/abc') - 1,
        withRequirements.indexOf('/data/envs/abc') + 2
      )
    ).toEqual(['--ro-bind', '/data/envs/abc', '/requirements']);
    const env = Object.fromEntries(
      withRequirements.flatMap((a, i) =>
        a === '--setenv'
          ? [[withRequirements[i + 1], withRequirements[i + 2]]]
          : []
      )
    );
    expect(env).toMatchObject({
      HOME: '/job',
      JAXLAB_WORKDIR: '/job',
      JAXLAB_REQUIREMENTS_ENV: '/requirements'
    });
    // Only as bind sources, never as a path the program is told about.
    expect(
      withRequirements
        .filter(
          a => a.includes('/data/kernels/k1') || a.includes('/data/envs/abc')
        )
        .sort()
    ).toEqual(['/data/envs/abc', '/data/kernels/k1']);
  });

  it('should size-limit /tmp and /dev/shm, and mount /tmp before the job folder', () => {
    const tmp = args.indexOf('/tmp');
    expect(args.slice(tmp - 5, tmp)).toEqual([
      '--size',
      '1000',
      '--perms',
      '1777',
      '--tmpfs'
    ]);
    const shm = args.indexOf('/dev/shm');
    expect(args.slice(shm - 5, shm)).toEqual([
      '--size',
      '1000',
      '--perms',
      '1777',
      '--tmpfs'
    ]);
    expect(tmp).toBeLessThan(args.indexOf('--bind'));
  });

  it('should bind Python and the venv after the /tmp and /dev/shm tmpfs, so folders under /tmp stay visible', () => {
    const tmpfs = args.lastIndexOf('--tmpfs');
    expect(args.indexOf('/root/.pyenv/versions/3.11.7')).toBeGreaterThan(tmpfs);
    expect(args.indexOf('/repo/.venv')).toBeGreaterThan(tmpfs);
  });

  it('should load the seccomp filter from its descriptor when given one, else none', () => {
    expect(
      after(buildBwrapArgs(policy, { seccompFd: 5 }), '--seccomp')
    ).toEqual(['5']);
    expect(args).not.toContain('--seccomp');
  });

  it('should end with the program started isolated after --', () => {
    const dashes = args.lastIndexOf('--');
    expect(args.slice(dashes + 1)).toEqual(policy.argv);
    expect(after(args, '--info-fd')).toEqual(['4']);
  });
});

describe('buildBwrapArgs() with devices', () => {
  const args = buildBwrapArgs({
    ...policy,
    devices: {
      nodes: [
        { hostPath: '/dev/nvidiactl', path: '/dev/nvidiactl' },
        { hostPath: '/fake/dev/nvidia1', path: '/dev/nvidia1' }
      ],
      readOnly: [
        { hostPath: '/proc/driver/nvidia', path: '/proc/driver/nvidia' }
      ]
    },
    writableBinds: [{ hostPath: '/data/cache/k1', path: '/jaxlab-cache' }]
  });

  it('should dev-bind exactly the given nodes after the minimal /dev, and bind the runtime folders read-only after /proc', () => {
    const devBinds = args.flatMap((a, i) =>
      a === '--dev-bind' ? [args.slice(i + 1, i + 3)] : []
    );
    expect(devBinds).toEqual([
      ['/dev/nvidiactl', '/dev/nvidiactl'],
      ['/fake/dev/nvidia1', '/dev/nvidia1']
    ]);
    expect(args.indexOf('--dev-bind')).toBeGreaterThan(args.indexOf('/dev'));
    const driver = args.indexOf('/proc/driver/nvidia');
    expect(args[driver - 1]).toBe('--ro-bind');
    expect(driver).toBeGreaterThan(args.indexOf('/proc'));
  });

  it('should bind the extra writable folders before the job folder', () => {
    expect(after(args, '--bind', 2)).toEqual([
      '/data/cache/k1',
      '/jaxlab-cache'
    ]);
  });
});

describe('buildSandboxEnv()', () => {
  it('should keep only KERNEL_* and allow-listed names besides HOME, PATH and LANG', () => {
    const env = buildSandboxEnv(policy);
    expect(env).toEqual({
      HOME: '/data/kernels/k1',
      PATH: '/repo/.venv/bin:/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      JAXLAB_WORKDIR: '/data/kernels/k1',
      JAXLAB_DESIGNATED_FUNCTIONS: 'main',
      KERNEL_PROJECT: 'p'
    });
  });

  it("should set the gateway's runtime environment last, over anything requested", () => {
    const env = buildSandboxEnv({
      ...policy,
      env: { ...policy.env, KERNEL_X: '1' },
      runtimeEnv: { JAX_PLATFORMS: 'cuda', CUDA_VISIBLE_DEVICES: '1' }
    });
    expect(env).toMatchObject({
      JAX_PLATFORMS: 'cuda',
      CUDA_VISIBLE_DEVICES: '1'
    });
  });
});
