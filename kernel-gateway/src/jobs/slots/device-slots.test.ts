import { describe, expect, it } from 'vitest';

import type { IAcceleratorNodes } from '../../sandbox/device-nodes.js';
import { DeviceSlots } from './device-slots.js';

const node = (n: string) => ({ hostPath: `/dev/${n}`, path: `/dev/${n}` });

/** A fake two-GPU NVIDIA host's nodes, as findAcceleratorNodes groups them. */
const TWO_GPUS: IAcceleratorNodes = {
  vendor: 'nvidia',
  shared: [node('nvidiactl'), node('nvidia-uvm')],
  devices: [
    { index: 0, nodes: [node('nvidia0')] },
    { index: 1, nodes: [node('nvidia1')] }
  ],
  readOnly: [node('../proc/driver/nvidia')]
};

const H100 = { kind: 'gpu' as const, count: 2, deviceKind: 'NVIDIA H100' };
const CPU = { kind: 'cpu' as const, count: 1, deviceKind: 'cpu' };

describe('DeviceSlots', () => {
  it('should give each GPU job its own GPU by UUID with only that GPU node, until none is free', () => {
    const slots = DeviceSlots.plan({
      accelerators: [H100, CPU],
      nodes: [TWO_GPUS],
      nvidiaGpus: [
        { minor: 0, uuid: 'GPU-aaaa' },
        { minor: 1, uuid: 'GPU-bbbb' }
      ]
    });
    expect(slots.capacity()).toEqual([
      { accelerator: 'gpu', maxDevices: 2 },
      { accelerator: 'cpu', maxDevices: 8 }
    ]);
    const a = slots.acquire({ id: 'a', accelerator: 'gpu' })!;
    const b = slots.acquire({ id: 'b', accelerator: 'gpu' })!;
    expect(a.slotIds).toEqual(['gpu0']);
    expect(a.runtimeEnv).toMatchObject({
      JAX_PLATFORMS: 'cuda',
      CUDA_VISIBLE_DEVICES: 'GPU-aaaa',
      CUDA_DEVICE_ORDER: 'PCI_BUS_ID',
      XLA_PYTHON_CLIENT_MEM_FRACTION: '0.75'
    });
    expect(a.devices!.nodes.map(n => n.path)).toEqual([
      '/dev/nvidiactl',
      '/dev/nvidia-uvm',
      '/dev/nvidia0'
    ]);
    expect(b.runtimeEnv.CUDA_VISIBLE_DEVICES).toBe('GPU-bbbb');
    expect(b.devices!.nodes.map(n => n.path)).toContain('/dev/nvidia1');
    expect(b.devices!.nodes.map(n => n.path)).not.toContain('/dev/nvidia0');
    expect(a.device).toEqual({
      platform: 'gpu',
      count: 1,
      kinds: ['NVIDIA H100']
    });
    expect(slots.capacity().map(c => c.accelerator)).toEqual(['cpu']);
    expect(slots.acquire({ id: 'c', accelerator: 'gpu' })).toBeUndefined();
    slots.release('a');
    expect(slots.acquire({ id: 'c', accelerator: 'gpu' })!.slotIds).toEqual([
      'gpu0'
    ]);
    expect(slots.slots.filter(s => s.jobId).map(s => [s.id, s.jobId])).toEqual([
      ['gpu0', 'c'],
      ['gpu1', 'b']
    ]);
  });

  it('should give a two-GPU job both GPUs, and select by ordinal with every node when UUIDs are unknown', () => {
    const slots = DeviceSlots.plan({
      accelerators: [H100, CPU],
      nodes: [TWO_GPUS]
    });
    const both = slots.acquire({
      id: 'a',
      accelerator: 'gpu',
      deviceCount: 2
    })!;
    expect(both.runtimeEnv.CUDA_VISIBLE_DEVICES).toBe('0,1');
    expect(both.devices!.nodes).toHaveLength(4);
    expect(both.device.count).toBe(2);
    expect(slots.largestJob('gpu')).toBe(2);
  });

  it('should share a GPU between jobs with a share of its memory each, never two shares to one job', () => {
    const slots = DeviceSlots.plan({
      accelerators: [{ ...H100, count: 1 }, CPU],
      gpuJobsPerDevice: 2
    });
    expect(slots.capacity()[0]).toEqual({ accelerator: 'gpu', maxDevices: 1 });
    expect(
      slots.acquire({ id: 'x', accelerator: 'gpu', deviceCount: 2 })
    ).toBeUndefined();
    const a = slots.acquire({ id: 'a', accelerator: 'gpu' })!;
    const b = slots.acquire({ id: 'b', accelerator: 'gpu' })!;
    expect([a.slotIds, b.slotIds]).toEqual([['gpu0-1'], ['gpu0-2']]);
    expect(a.runtimeEnv).toMatchObject({
      XLA_PYTHON_CLIENT_MEM_FRACTION: '0.38',
      XLA_PYTHON_CLIENT_PREALLOCATE: 'true'
    });
  });

  it('should run one TPU job over all chips with libtpu settings, and CPU jobs as configured', () => {
    const slots = DeviceSlots.plan({
      accelerators: [{ kind: 'tpu', count: 4, deviceKind: 'TPU v5 lite' }, CPU],
      tpuEnv: { TPU_SKIP_MDS_QUERY: '1' },
      cpuSlots: 2
    });
    const tpu = slots.acquire({ id: 't', accelerator: 'tpu', deviceCount: 2 })!;
    expect(tpu.slotIds).toEqual(['tpu']);
    expect(tpu.runtimeEnv).toEqual({
      JAX_PLATFORMS: 'tpu',
      TPU_SKIP_MDS_QUERY: '1'
    });
    expect(tpu.device.count).toBe(4);
    expect(slots.capacity().map(c => c.accelerator)).toEqual(['cpu']);
    const cpu = slots.acquire({ id: 'c', accelerator: 'cpu', deviceCount: 4 })!;
    expect(cpu.runtimeEnv).toEqual({
      JAX_PLATFORMS: 'cpu',
      XLA_FLAGS: '--xla_force_host_platform_device_count=4'
    });
    expect(cpu.devices).toBeUndefined();
    expect(slots.acquire({ id: 'd', accelerator: 'cpu' })!.slotIds).toEqual([
      'cpu1'
    ]);
    expect(slots.capacity()).toEqual([]);
  });

  it("should put the CUDA driver's folder on the GPU kernels' library path when the linker cache lacks it", () => {
    const slots = DeviceSlots.plan({
      accelerators: [H100, CPU],
      nodes: [TWO_GPUS],
      cudaDriverDir: '/usr/local/nvidia/lib64'
    });
    const grant = slots.acquire({ id: 'a', accelerator: 'gpu' })!;
    expect(grant.runtimeEnv.LD_LIBRARY_PATH).toBe('/usr/local/nvidia/lib64');
    expect(grant.devices!.readOnly.map(b => b.path)).toContain(
      '/usr/local/nvidia/lib64'
    );
    expect(
      slots.acquire({ id: 'c', accelerator: 'cpu' })!.runtimeEnv
    ).not.toHaveProperty('LD_LIBRARY_PATH');
  });

  it('should offer no GPU the probe did not see, even with GPU nodes present', () => {
    const slots = DeviceSlots.plan({ accelerators: [CPU], nodes: [TWO_GPUS] });
    expect(slots.slots.map(s => s.id)).toEqual(['cpu0']);
    expect(slots.acquire({ id: 'a', accelerator: 'gpu' })).toBeUndefined();
  });
});
