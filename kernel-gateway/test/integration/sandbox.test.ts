import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  BubblewrapLauncher,
  createKernelLauncher
} from '@jaxlab/kernel-gateway';

import { VENV, newJobDir, run, useJobFolders } from './sandbox-runs.js';

useJobFolders();

describe('BubblewrapLauncher.launchProgram()', () => {
  it('should run Python as an unprivileged user with only the job folder writable', async () => {
    const result = await run(`
import os, json
out = {'uid': os.getuid(), 'fds': sorted(os.listdir('/proc/self/fd')), 'root': sorted(os.listdir('/'))}
for p in ['/etc/shadow', '/root/.bashrc', '/work/main/package.json', '/work/shared/DESIGN.md']:
    try:
        open(p).read(); out[p] = 'READ'
    except OSError as e:
        out[p] = type(e).__name__
for p in ['/usr/evil', '/evil', '${VENV}/evil', '/root/.pyenv/evil']:
    try:
        open(p, 'w').write('x'); out[p] = 'WROTE'
    except OSError as e:
        out[p] = type(e).__name__
open('own.txt', 'w').write('ok')
print(json.dumps(out))
`);
    expect(result.exit.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.uid).toBe(65534);
    // only stdin/out/err and the fd listing itself: nothing leaked in
    expect(out.fds).toEqual(['0', '1', '2', '3']);
    for (const p of [
      '/etc/shadow',
      '/root/.bashrc',
      '/work/main/package.json',
      '/work/shared/DESIGN.md'
    ]) {
      expect(out[p]).not.toBe('READ');
    }
    for (const p of [
      '/usr/evil',
      '/evil',
      `${VENV}/evil`,
      '/root/.pyenv/evil'
    ]) {
      expect(out[p]).not.toBe('WROTE');
    }
    const own = await fs.stat(path.join(result.jobDir, 'own.txt'));
    expect(own.uid).toBe(65534);
  });

  it('should give the program no network and no DNS', async () => {
    let connections = 0;
    const server = net.createServer(socket => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const result = await run(`
import socket
for target in [('127.0.0.1', ${port}), ('8.8.8.8', 53)]:
    try:
        socket.create_connection(target, timeout=2); print('CONNECTED', target)
    except OSError as e:
        print('blocked', type(e).__name__)
try:
    socket.getaddrinfo('pypi.org', 443); print('RESOLVED')
except OSError as e:
    print('dns blocked', type(e).__name__)
`);
      expect(result.stdout).not.toContain('CONNECTED');
      expect(result.stdout).not.toContain('RESOLVED');
      expect(result.stdout).toContain('dns blocked');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('should pass only allow-listed environment variables', async () => {
    process.env.JAXLAB_TEST_SECRET = 'hunter2';
    const result = await run(
      'import os, json; print(json.dumps(dict(os.environ)))',
      {
        env: {
          KERNEL_PROJECT: 'p1',
          AWS_SECRET_ACCESS_KEY: 'nope',
          JAXLAB_DESIGNATED_FUNCTIONS: 'main'
        }
      }
    );
    const env = JSON.parse(result.stdout);
    expect(env.KERNEL_PROJECT).toBe('p1');
    expect(env.JAXLAB_DESIGNATED_FUNCTIONS).toBe('main');
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(result.stdout).not.toContain('hunter2');
  });

  it('should kill a memory bomb with limit "memory"', async () => {
    const result = await run(
      `
chunks = []
while True:
    chunks.append(bytearray(16 * 1024 * 1024))
`,
      { limits: { memoryMaxBytes: 128 * 1024 ** 2 } }
    );
    expect(result.exit.code).not.toBe(0);
    expect(result.exit.limit).toBe('memory');
  });

  it('should stop a fork bomb at the pids limit', async () => {
    const result = await run(
      `
import os, time, sys
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60); os._exit(0)
        n += 1
except OSError as e:
    print('fork refused after', n, type(e).__name__, flush=True)
    sys.exit(3)
`,
      { limits: { pidsMax: 16 } }
    );
    expect(result.stdout).toContain('fork refused');
    expect(result.exit.code).toBe(3);
    expect(result.exit.limit).toBe('pids');
  });

  it('should kill a sleeper at the wall-clock limit', async () => {
    const t0 = Date.now();
    const result = await run('import time; time.sleep(600)', {
      limits: { wallClockLimitMs: 1500 }
    });
    expect(result.exit.limit).toBe('wall-clock');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('should stop a CPU-time hog with limit "cpu-time"', async () => {
    const result = await run('while True: pass', {
      limits: { cpuTimeLimitS: 1 }
    });
    expect(result.exit.limit).toBe('cpu-time');
  });

  it('should cap file size', async () => {
    const result = await run(
      `
try:
    open('big', 'wb').write(b'x' * (8 * 1024 * 1024)); print('WROTE')
except OSError as e:
    print('refused', type(e).__name__)
`,
      { limits: { fileSizeMaxBytes: 1024 * 1024 } }
    );
    expect(result.stdout).not.toContain('WROTE');
    expect(
      (await fs.stat(path.join(result.jobDir, 'big'))).size
    ).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('BubblewrapLauncher seccomp filter', () => {
  it('should make the denied system calls fail with EPERM, 32-bit entry too, and leave JAX working', async () => {
    const result = await run(
      `
import ctypes, errno, json, mmap
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def call(number, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    return errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()) if rc == -1 else rc

NUMBERS = {
    'io_uring_setup': (425, 1, 0), 'ptrace': (101, 0, 0, 0, 0),
    'process_vm_readv': (310, 1, 0, 0, 0, 0, 0), 'keyctl': (250, 0, 0, 0, 0),
    'add_key': (248, 0, 0, 0, 0, 0), 'request_key': (249, 0, 0, 0, 0),
    'bpf': (321, 0, 0, 0), 'perf_event_open': (298, 0, 0, 0, 0, 0),
    'userfaultfd': (323, 0), 'kexec_load': (246, 0, 0, 0, 0),
    'mount': (165, 0, 0, 0, 0, 0), 'umount2': (166, 0, 0), 'pivot_root': (155, 0, 0),
    'unshare': (272, 0x10000000), 'setns': (308, 0, 0),
    'open_by_handle_at': (304, 0, 0, 0), 'init_module': (175, 0, 0, 0),
    'finit_module': (313, 0, 0, 0), 'delete_module': (176, 0, 0),
    'reboot': (169, 0, 0, 0, 0), 'swapon': (167, 0, 0), 'swapoff': (168, 0),
    'clone with CLONE_NEWUSER': (56, 0x10000000, 0, 0, 0, 0),
}
out = {name: call(*args) for name, args in NUMBERS.items()}

# i386 getpid through int 0x80: mov eax, 20; int 0x80; ret
code = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
code.write(bytes([0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xC3]))
address = ctypes.addressof(ctypes.c_char.from_buffer(code))
out['int 0x80 getpid'] = ctypes.CFUNCTYPE(ctypes.c_int)(address)()

import jax, jax.numpy as jnp
out['jax'] = float(jax.jit(lambda x: (x @ x.T).sum())(jnp.ones((32, 32))))
print(json.dumps(out))
`,
      { limits: { wallClockLimitMs: 60_000 } }
    );
    expect(result.exit.code, result.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<
      string,
      unknown
    >;
    const { jax, ['int 0x80 getpid']: int80, ...denied } = out;
    for (const [name, outcome] of Object.entries(denied)) {
      expect(outcome, name).toBe('EPERM');
    }
    // -EPERM from the filter (a 32-bit getpid would return a pid).
    expect(int80).toBe(-1);
    expect(jax).toBe(32 * 32 * 32);
  });
});

describe('createKernelLauncher()', () => {
  it('should refuse to start kernels with SANDBOX_UNAVAILABLE and an install hint when bwrap is missing', async () => {
    const missing = new BubblewrapLauncher({
      venvDir: VENV,
      bwrapName: 'bwrap-not-installed'
    });
    const jobDir = await newJobDir();
    await expect(
      missing.launch({
        kernelId: 'missing',
        jobDir,
        connectionFile: path.join(jobDir, 'c.json')
      })
    ).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      hint: expect.stringContaining('apt-get install bubblewrap')
    });
  });

  it('should return a sandboxed launcher unless unsafeNoSandbox is set', () => {
    expect(createKernelLauncher({ venvDir: VENV }).isSandboxed).toBe(true);
    expect(
      createKernelLauncher({ venvDir: VENV, unsafeNoSandbox: true }).isSandboxed
    ).toBe(false);
  });
});
