import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  findAcceleratorNodes,
  selectAcceleratorNodes
} from './device-nodes.js';

/**
 * A fake host tree: character devices made with mknod (major 195 is
 * NVIDIA's, 226 DRM, 120 a stand-in for accel), plus a regular file and a
 * block device with accelerator-like names that must never be passed.
 */
async function makeFakeHost(
  root: string,
  nodes: Record<string, string>
): Promise<void> {
  for (const [name, spec] of Object.entries(nodes)) {
    const file = path.join(root, 'dev', name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    if (spec === 'file') {
      await fs.writeFile(file, '');
    } else {
      const [type, major, minor] = spec.split(' ');
      execFileSync('mknod', [file, type!, major!, minor!]);
    }
  }
}

describe('findAcceleratorNodes()', () => {
  let root: string;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-devs-'));
    await makeFakeHost(root, {
      nvidiactl: 'c 195 255',
      'nvidia-uvm': 'c 510 0',
      'nvidia-uvm-tools': 'c 510 1',
      nvidia1: 'c 195 1',
      nvidia0: 'c 195 0',
      nvidia10: 'c 195 10',
      'nvidia-caps/nvidia-cap1': 'c 511 1',
      nvidia2: 'file', // not a device node
      nvidia3: 'b 8 0', // a block device
      sda: 'b 8 0',
      null: 'c 1 3',
      'dri/card0': 'c 226 0' // a display node, not a render node
    });
    await fs.mkdir(path.join(root, 'proc/driver/nvidia'), { recursive: true });
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('should find exactly the NVIDIA character devices, one entry per GPU in number order', async () => {
    const groups = await findAcceleratorNodes(root);
    expect(groups).toHaveLength(1);
    const [nvidia] = groups;
    expect(nvidia!.vendor).toBe('nvidia');
    expect(nvidia!.shared.map(b => b.path)).toEqual([
      '/dev/nvidia-caps/nvidia-cap1',
      '/dev/nvidia-uvm',
      '/dev/nvidia-uvm-tools',
      '/dev/nvidiactl'
    ]);
    expect(nvidia!.devices.map(d => [d.index, d.nodes[0]!.path])).toEqual([
      [0, '/dev/nvidia0'],
      [1, '/dev/nvidia1'],
      [10, '/dev/nvidia10']
    ]);
    expect(nvidia!.devices[0]!.nodes[0]!.hostPath).toBe(
      path.join(root, 'dev/nvidia0')
    );
    expect(nvidia!.readOnly.map(b => b.path)).toEqual(['/proc/driver/nvidia']);
  });

  it('should group TPU VFIO groups and AMD render nodes by vendor', async () => {
    const other = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-devs-'));
    try {
      await makeFakeHost(other, {
        'vfio/vfio': 'c 10 196',
        'vfio/0': 'c 245 0',
        'vfio/1': 'c 245 1',
        kfd: 'c 234 0',
        'dri/renderD128': 'c 226 128'
      });
      const groups = await findAcceleratorNodes(other);
      const byVendor = Object.fromEntries(groups.map(g => [g.vendor, g]));
      expect(byVendor.tpu!.shared.map(b => b.path)).toEqual(['/dev/vfio/vfio']);
      expect(byVendor.tpu!.devices.map(d => d.index)).toEqual([0, 1]);
      expect(byVendor.amd!.shared.map(b => b.path)).toEqual(['/dev/kfd']);
      expect(byVendor.amd!.devices.map(d => d.nodes[0]!.path)).toEqual([
        '/dev/dri/renderD128'
      ]);
    } finally {
      await fs.rm(other, { recursive: true, force: true });
    }
  });

  it('should find nothing on a host without accelerator nodes', async () => {
    const empty = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-devs-'));
    try {
      await makeFakeHost(empty, { null: 'c 1 3', 'nvidia-uvm': 'c 510 0' });
      // Control nodes without a single GPU node are not a GPU.
      expect(await findAcceleratorNodes(empty)).toEqual([]);
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }
  });

  describe('selectAcceleratorNodes()', () => {
    it('should pass none with noDevices, whatever detection finds', async () => {
      expect(await selectAcceleratorNodes({ root, noDevices: true })).toEqual(
        []
      );
    });

    it('should pass exactly the given paths instead of detection', async () => {
      const groups = await selectAcceleratorNodes({
        root,
        devicePaths: ['/dev/nvidiactl', '/dev/nvidia7']
      });
      expect(groups.map(g => g.vendor)).toEqual(['nvidia']);
      expect(groups[0]!.shared.map(b => b.path)).toEqual(['/dev/nvidiactl']);
      expect(groups[0]!.devices.map(d => d.index)).toEqual([7]);
    });

    it('should refuse a path that is no accelerator node', async () => {
      await expect(
        selectAcceleratorNodes({ devicePaths: ['/dev/sda'] })
      ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });
  });
});
