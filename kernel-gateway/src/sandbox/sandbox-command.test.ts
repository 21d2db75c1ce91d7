import { describe, expect, it } from 'vitest';

import {
  buildExposeScript,
  buildPrlimitArgs,
  buildSandboxCommand
} from './sandbox-command.js';
import { DEFAULT_RESOURCE_LIMITS } from './sandbox-policy.js';
import type { ISandboxPolicy } from './sandbox-policy.js';

const policy: ISandboxPolicy = {
  jobDir: '/data/kernels/k1',
  venvDir: '/repo/.venv',
  pythonHome: '/root/.pyenv/versions/3.11.7',
  argv: ['/repo/.venv/bin/python', '-I', '-m', 'jaxlab_harness'],
  limits: DEFAULT_RESOURCE_LIMITS,
  uid: 65534,
  gid: 65534,
  systemPaths: [{ path: '/usr' }]
};

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
