import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { labPaths } from '@jaxlab/paths';
import {
  BubblewrapLauncher,
  SANDBOX_JOB_DIR,
  findHostDevices,
  selectAcceleratorNodes
} from '@jaxlab/kernel-gateway';
import type { ISandboxDevices } from '@jaxlab/kernel-gateway';

import { createTestJobHost } from './job-host.js';

const { venvDir: VENV, python: PYTHON } = labPaths();

/** Lists the sandbox's /dev: path -> 'c major:minor' for character devices. */
const LIST_DEV = `
import json, os, stat
found = {}
for folder, dirs, files in os.walk('/dev'):
    if folder.startswith(('/dev/pts', '/dev/shm', '/dev/mqueue')):
        continue
    for name in files + dirs:
        p = os.path.join(folder, name)
        st = os.lstat(p)
        if stat.S_ISCHR(st.st_mode):
            found[p] = f'c {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}'
vendor = '/sys/bus/pci/devices/0000:01:00.0/vendor'
print(json.dumps({'dev': found, 'pci': open(vendor).read() if os.path.exists(vendor) else None,
                  'pciWritable': os.access(vendor, os.W_OK)}))
`;

let base: string;
let counter = 0;
const launcher = new BubblewrapLauncher({ venvDir: VENV });

async function devInside(devices?: ISandboxDevices): Promise<{
  dev: Record<string, string>;
  pci: string | null;
  pciWritable: boolean;
}> {
  const jobDir = path.join(base, `k${++counter}`);
  await fs.mkdir(jobDir);
  await fs.writeFile(path.join(jobDir, 'list.py'), LIST_DEV);
  const proc = await launcher.launchProgram({
    kernelId: `devs-${path.basename(base)}-${counter}`,
    jobDir,
    argv: [PYTHON, '-I', path.join(SANDBOX_JOB_DIR, 'list.py')],
    devices,
    limits: { wallClockLimitMs: 30_000 }
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', chunk => (stdout += chunk));
  proc.stderr.on('data', chunk => (stderr += chunk));
  const exit = await proc.exited;
  expect(exit.code, stderr).toBe(0);
  return JSON.parse(stdout);
}

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-sbx-dev-'));
  // bwrap binds the nodes as the unprivileged id: the fake tree must be
  // reachable for it, as /dev is on a real host.
  await fs.chmod(base, 0o755);
  // A fake two-GPU NVIDIA host: nodes made with mknod, the driver's
  // /proc folder as a plain folder, and things that must stay outside.
  const fake = path.join(base, 'host');
  for (const [name, major, minor] of [
    ['nvidiactl', 195, 255],
    ['nvidia-uvm', 510, 0],
    ['nvidia0', 195, 0],
    ['nvidia1', 195, 1]
  ] as const) {
    await fs.mkdir(path.join(fake, 'dev'), { recursive: true });
    execFileSync('mknod', [
      path.join(fake, 'dev', name),
      'c',
      String(major),
      String(minor)
    ]);
  }
  execFileSync('mknod', [path.join(fake, 'dev', 'sda'), 'b', '8', '0']);
  // What the runtime reads besides (XLA reads each GPU's PCI entry).
  const pci = path.join(fake, 'sys/bus/pci/devices/0000:01:00.0');
  await fs.mkdir(pci, { recursive: true });
  await fs.writeFile(path.join(pci, 'vendor'), '0x10de\n', { mode: 0o666 });
});

afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('BubblewrapLauncher device pass-through', () => {
  it('should show exactly the detected accelerator nodes in /dev, and what the runtime reads read-only', async () => {
    const plain = await devInside();
    const [nvidia] = await selectAcceleratorNodes({
      root: path.join(base, 'host')
    });
    const withGpus = await devInside({
      nodes: [...nvidia!.shared, ...nvidia!.devices.flatMap(d => d.nodes)],
      readOnly: nvidia!.readOnly
    });
    const added = Object.fromEntries(
      Object.entries(withGpus.dev).filter(([p]) => !(p in plain.dev))
    );
    expect(added).toEqual({
      '/dev/nvidiactl': 'c 195:255',
      '/dev/nvidia-uvm': 'c 510:0',
      '/dev/nvidia0': 'c 195:0',
      '/dev/nvidia1': 'c 195:1'
    });
    // bwrap's own minimal /dev (null, zero, random, tty, ...) and nothing
    // of the host's: no disk, no other device.
    expect(Object.keys(plain.dev).sort()).toEqual(
      [
        '/dev/console',
        '/dev/full',
        '/dev/null',
        '/dev/ptmx',
        '/dev/random',
        '/dev/tty',
        '/dev/urandom',
        '/dev/zero'
      ].filter(p => p in plain.dev)
    );
    expect(plain.dev).not.toHaveProperty('/dev/sda');
    expect(withGpus.pci).toBe('0x10de\n');
    expect(withGpus.pciWritable).toBe(false);
    expect(plain.pci).toBeNull();
  });

  it('should pass only the nodes of one GPU to a slot of that GPU', async () => {
    const [nvidia] = await selectAcceleratorNodes({
      root: path.join(base, 'host')
    });
    const second = await devInside({
      nodes: [...nvidia!.shared, ...nvidia!.devices[1]!.nodes],
      readOnly: []
    });
    expect(second.dev['/dev/nvidia1']).toBe('c 195:1');
    expect(second.dev).not.toHaveProperty('/dev/nvidia0');
  });
});

describe('JobRunner probe with device nodes JAX cannot use', () => {
  it('should advertise no GPU when the sandbox holds GPU nodes that no GPU is behind', async () => {
    const host = await createTestJobHost('jl-probe-');
    const runner = host.createRunner({
      hostId: 'fake-gpu-host',
      hostDevices: await findHostDevices({ root: path.join(base, 'host') })
    });
    try {
      await runner.start();
      // The nodes were found (two GPUs' worth), but JAX in the sandbox
      // could not use them: only the CPU is offered.
      expect(runner.accelerators.map(a => a.kind)).toEqual(['cpu']);
      expect(runner.slots.map(s => s.id)).toEqual(['cpu0']);
    } finally {
      await runner.dispose();
      await host.dispose();
    }
  });
});
