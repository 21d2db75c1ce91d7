import { describe, expect, it } from 'vitest';

import {
  DEFAULT_RESOURCE_LIMITS,
  buildBwrapArgs,
  buildExposeScript,
  buildPrlimitArgs,
  buildSandboxCommand,
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

describe('buildPrlimitArgs()', () => {
  it('should never limit address space, and add data and nproc only without cgroups', () => {
    const withCgroups = buildPrlimitArgs(DEFAULT_RESOURCE_LIMITS, false);
    expect(withCgroups).toEqual([
      '--cpu=3600:3605',
      `--fsize=${1024 ** 3}`,
      '--nofile=1024',
      '--core=0',
      '--'
    ]);
    const rlimitOnly = buildPrlimitArgs(DEFAULT_RESOURCE_LIMITS, true);
    expect(rlimitOnly).toContain(`--data=${4 * 1024 ** 3}`);
    expect(rlimitOnly).toContain('--nproc=256');
    expect(rlimitOnly.join(' ')).not.toContain('--as');
  });
});

describe('buildSandboxCommand()', () => {
  it('should wait for cgroup placement, drop to the unprivileged id as root, then prlimit and bwrap', () => {
    const { file, args } = buildSandboxCommand(policy, {
      isRoot: true,
      isRlimitOnly: false
    });
    expect(file).toBe('/bin/bash');
    expect(args[1]).toContain('read -r _ <&3');
    const chain = args.slice(3);
    expect(chain[0]).toBe('setpriv');
    expect(chain).toContain('--reuid=65534');
    expect(chain).toContain('--no-new-privs');
    expect(chain.indexOf('prlimit')).toBeLessThan(chain.indexOf('bwrap'));
  });

  it('should expose unreachable folders in a private mount namespace only when root', () => {
    const exposures = [
      {
        path: '/root/.pyenv/versions/3.11.7',
        blocker: '/root',
        isWritable: false
      }
    ];
    const root = buildSandboxCommand(policy, {
      isRoot: true,
      isRlimitOnly: false,
      exposures
    });
    expect(root.args.slice(3, 8)).toEqual([
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--'
    ]);
    const user = buildSandboxCommand(policy, {
      isRoot: false,
      isRlimitOnly: false,
      exposures
    });
    expect(user.args[3]).toBe('prlimit');
    expect(user.args).not.toContain('setpriv');
  });
});

describe('buildExposeScript()', () => {
  it('should cover each blocker once and bind each path back by descriptor', () => {
    const script = buildExposeScript([
      { path: "/root/a b'c", blocker: '/root', isWritable: false },
      { path: '/root/x', blocker: '/root', isWritable: true }
    ]);
    expect(script.match(/mount -t tmpfs/g)).toHaveLength(1);
    // From fd 6 on: 4 and 5 carry bwrap's info and seccomp descriptors.
    expect(script).toContain(`exec 6<'/root/a b'\\''c'`);
    expect(script).toContain(
      'mount --no-canonicalize --bind -o ro /proc/self/fd/6'
    );
    expect(script).toContain('mount --no-canonicalize --bind /proc/self/fd/7');
    expect(script.trim().endsWith('exec "$@"')).toBe(true);
  });
});
