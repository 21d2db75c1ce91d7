import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { labPaths } from '@jaxlab/paths';
import {
  BubblewrapLauncher,
  SANDBOX_JOB_DIR,
  createKernelLauncher
} from '@jaxlab/kernel-gateway';
import type { SandboxedProcess } from '@jaxlab/kernel-gateway';

const { venvDir: VENV, python: PYTHON } = labPaths();

interface IRun {
  exit: Awaited<SandboxedProcess['exited']>;
  stdout: string;
  stderr: string;
  jobDir: string;
}

let base: string;
let counter = 0;
const launcher = new BubblewrapLauncher({ venvDir: VENV });
const rlimitLauncher = new BubblewrapLauncher({
  venvDir: VENV,
  cgroups: { mode: 'rlimit', parents: {}, reason: 'forced by test' }
});

/** Host pid and start time of every process descending from `root`. */
function descendants(root: number): Map<number, string> {
  const parents = new Map<number, number>();
  const starts = new Map<number, string>();
  for (const entry of readdirSafe('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(pid, Number(fields[1]));
      starts.set(pid, fields[19]!);
    } catch {
      // gone
    }
  }
  const found = new Map<number, string>();
  for (const pid of parents.keys()) {
    for (let p: number | undefined = pid; p && p > 1; p = parents.get(p)) {
      if (p === root) {
        found.set(pid, starts.get(pid)!);
        break;
      }
    }
  }
  return found;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isAlive(pid: number, start: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] === start && fields[0] !== 'Z';
  } catch {
    return false;
  }
}

async function newJobDir(): Promise<string> {
  const jobDir = path.join(base, `k${++counter}`);
  await fs.mkdir(jobDir);
  return jobDir;
}

async function start(
  code: string,
  options: {
    limits?: Parameters<BubblewrapLauncher['launchProgram']>[0]['limits'];
    env?: Record<string, string>;
    on?: BubblewrapLauncher;
  } = {}
): Promise<{
  proc: SandboxedProcess;
  jobDir: string;
  output: () => { stdout: string; stderr: string };
}> {
  const jobDir = await newJobDir();
  await fs.writeFile(path.join(jobDir, 'main.py'), code);
  const proc = await (options.on ?? launcher).launchProgram({
    kernelId: path.basename(base) + path.basename(jobDir),
    jobDir,
    argv: [PYTHON, '-I', path.join(SANDBOX_JOB_DIR, 'main.py')],
    env: options.env,
    limits: { wallClockLimitMs: 30_000, ...options.limits }
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', chunk => (stdout += chunk));
  proc.stderr.on('data', chunk => (stderr += chunk));
  return { proc, jobDir, output: () => ({ stdout, stderr }) };
}

async function run(
  code: string,
  options: Parameters<typeof start>[1] = {}
): Promise<IRun> {
  const started = await start(code, options);
  const exit = await started.proc.exited;
  return { exit, jobDir: started.jobDir, ...started.output() };
}

beforeAll(async () => {
  // mkdtemp makes a 0700 folder: the launcher must expose the job folder
  // to the unprivileged id through it.
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-sbx-'));
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

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

describe('BubblewrapLauncher CPU share (cgroups)', () => {
  // Spins `procs` processes for `secs` seconds and prints the CPU seconds they used.
  const spinner = (procs: number, secs: number): string => `
import os, time
start = time.time()
children = []
for _ in range(${procs} - 1):
    pid = os.fork()
    if pid == 0:
        while time.time() - start < ${secs}: pass
        os._exit(0)
    children.append(pid)
while time.time() - start < ${secs}: pass
for pid in children: os.waitpid(pid, 0)
t = os.times()
print(t.user + t.system + t.children_user + t.children_system)
`;

  it('should share the CPU between busy kernels by their weights (cpuWeight)', async () => {
    // Both want two cores; the heavy one weighs four times the light one.
    const [heavy, light] = await Promise.all([
      start(spinner(2, 4), { limits: { cpuWeight: 400 } }),
      start(spinner(2, 4), { limits: { cpuWeight: 100 } })
    ]);
    await Promise.all([heavy.proc.exited, light.proc.exited]);
    const heavyCpuS = Number(heavy.output().stdout);
    const lightCpuS = Number(light.output().stdout);
    expect(lightCpuS).toBeGreaterThan(0);
    // 1:4 by weight when both compete for the same cores; 1:1 without.
    expect(lightCpuS / heavyCpuS).toBeLessThan(0.5);
  });

  it('should hold a kernel to its CPU quota (cpuMaxCores)', async () => {
    const result = await run(spinner(2, 3), {
      limits: { cpuMaxCores: 0.25 }
    });
    // 0.25 cores for 3 s is 0.75 CPU seconds (plus a period of slack).
    expect(Number(result.stdout)).toBeLessThan(0.9);
  });
});

// Says ready, waits for /job/go, then spins on the first CPU for \`secs\` seconds and
// prints the CPU seconds it used: kernels started with it compete for one
// CPU, whatever the host's other work.
const SPIN_AFTER_GO = (secs: number): string => `
import os, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
print('ready', flush=True)
while not os.path.exists('${SANDBOX_JOB_DIR}/go'): time.sleep(0.02)
start = time.time()
while time.time() - start < ${secs}: pass
t = os.times()
print(t.user + t.system)
`;

for (const [name, on] of [
  ['cgroups', launcher],
  ['rlimits only', rlimitLauncher]
] as const) {
  describe(`SandboxedProcess.setCpuPriority() (${name})`, () => {
    /** CPU seconds of two kernels spinning side by side after `prepare(first)`. */
    async function contend(
      prepare: (first: SandboxedProcess) => Promise<void>
    ): Promise<[number, number]> {
      const pair = await Promise.all([
        start(SPIN_AFTER_GO(3), { on }),
        start(SPIN_AFTER_GO(3), { on })
      ]);
      // The sandbox's own session (autogroup) exists once its program runs.
      for (const { output } of pair) {
        const t0 = Date.now();
        while (!output().stdout.includes('ready') && Date.now() - t0 < 20_000) {
          await new Promise(resolve => setTimeout(resolve, 20));
        }
      }
      await prepare(pair[0].proc);
      for (const { jobDir } of pair) {
        await fs.writeFile(path.join(jobDir, 'go'), '');
      }
      await Promise.all(pair.map(({ proc }) => proc.exited));
      const [first, second] = pair.map(({ output }) =>
        Number(output().stdout.replace('ready', ''))
      );
      expect(first).toBeGreaterThanOrEqual(0);
      expect(second).toBeGreaterThan(0);
      return [first!, second!];
    }

    it('should let a kernel at low priority take little of a contended CPU', async () => {
      const [low, normal] = await contend(proc => proc.setCpuPriority('low'));
      // Equal shares without it; a weight of 1 (nice 19) against 100 (nice 0).
      expect(low / normal, `${low} / ${normal} CPU seconds`).toBeLessThan(0.25);
    });

    it('should give a kernel its share back at normal priority', async () => {
      const [restored, normal] = await contend(async proc => {
        await proc.setCpuPriority('low');
        await proc.setCpuPriority('normal');
      });
      expect(
        restored / normal,
        `${restored} / ${normal} CPU seconds`
      ).toBeGreaterThan(0.5);
    });
  });
}

const DAEMON = `
import os, signal, time, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True: time.sleep(1)
    os._exit(0)
print('ready', flush=True)
while True: time.sleep(1)
`;

for (const [name, on] of [
  ['cgroups', launcher],
  ['rlimits only', rlimitLauncher]
] as const) {
  describe(`SandboxedProcess.dispose() (${name})`, () => {
    it('should leave no process behind: double-fork daemons and SIGTERM-ignorers die', async () => {
      const started = await start(DAEMON, { on });
      const t0 = Date.now();
      while (
        !started.output().stdout.includes('ready') &&
        Date.now() - t0 < 20_000
      ) {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      await new Promise(resolve => setTimeout(resolve, 300));
      const before = descendants(started.proc.pid);
      // bwrap's init, the program and the daemon at least
      expect(before.size).toBeGreaterThanOrEqual(3);
      await started.proc.dispose();
      for (const [pid, startTime] of before) {
        expect(
          isAlive(pid, startTime)
            ? `${pid} ${readFileSync(`/proc/${pid}/stat`, 'utf8')}`
            : false
        ).toBe(false);
      }
      // idempotent
      await started.proc.dispose();
    });
  });
}

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
