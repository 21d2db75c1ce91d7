import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseProbe } from './device-probe.js';
import { findHostDevices } from './host-devices.js';
import { readNvidiaGpus } from './nvidia-gpus.js';
import { parseTpuEnv, tpuEnvironmentOf } from './tpu-environment.js';

/** tpu-env as a single-host v5e VM's metadata server serves it (abridged). */
const TPU_ENV = `ACCELERATOR_TYPE: 'v5litepod-4'
CHIPS_PER_HOST_BOUNDS: '2,2,1'
HOST_BOUNDS: '1,1,1'
TOPOLOGY: '2x2'
WRAP: 'false,false,false'
WORKER_ID: '0'
ZONE: 'us-west4-a'
`;

describe('Cloud TPU environment', () => {
  it("should turn the VM's tpu-env metadata into libtpu's own variables", () => {
    expect(tpuEnvironmentOf(parseTpuEnv(TPU_ENV))).toEqual({
      TPU_SKIP_MDS_QUERY: '1',
      TPU_WORKER_ID: '0',
      TPU_WORKER_HOSTNAMES: 'localhost',
      TPU_PROCESS_BOUNDS: '1,1,1',
      TPU_HOST_BOUNDS: '1,1,1',
      TPU_ACCELERATOR_TYPE: 'v5litepod-4',
      TPU_CHIPS_PER_PROCESS_BOUNDS: '2,2,1',
      TPU_CHIPS_PER_HOST_BOUNDS: '2,2,1',
      TPU_TOPOLOGY: '2x2',
      TPU_TOPOLOGY_WRAP: 'false,false,false'
    });
  });

  it("should keep one host's chips only on a multi-host slice, and drop odd values", () => {
    const env = tpuEnvironmentOf(
      parseTpuEnv(
        "ACCELERATOR_TYPE: 'v4-16'\nHOST_BOUNDS: '1,1,2'\nTOPOLOGY: '2x2x2'\nCHIPS_PER_HOST_BOUNDS: '$(reboot)'\n"
      )
    );
    expect(env.TPU_PROCESS_BOUNDS).toBe('1,1,1');
    expect(env).not.toHaveProperty('TPU_TOPOLOGY');
    expect(env).not.toHaveProperty('TPU_CHIPS_PER_PROCESS_BOUNDS');
  });
});

describe('findHostDevices()', () => {
  let root: string;
  let metadata: http.Server;
  let asked: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'jx-host-'));
    await fs.mkdir(path.join(root, 'dev/vfio'), { recursive: true });
    execFileSync('mknod', [path.join(root, 'dev/vfio/vfio'), 'c', '10', '196']);
    execFileSync('mknod', [path.join(root, 'dev/vfio/0'), 'c', '245', '0']);
    // A stand-in for the GCE metadata server (real HTTP, real fetch).
    metadata = http.createServer((req, res) => {
      asked.push(req.headers);
      if (req.url === '/computeMetadata/v1/instance/attributes/tpu-env') {
        res.end(TPU_ENV);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>(resolve =>
      metadata.listen(0, '127.0.0.1', resolve)
    );
  });

  afterAll(async () => {
    metadata?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it("should read libtpu's settings from the metadata server once TPU nodes are found", async () => {
    const port = (metadata.address() as AddressInfo).port;
    asked = [];
    const devices = await findHostDevices({
      root,
      tpu: { metadataHost: `127.0.0.1:${port}` }
    });
    expect(devices.nodes.map(n => n.vendor)).toEqual(['tpu']);
    expect(devices.tpuEnv).toMatchObject({
      TPU_SKIP_MDS_QUERY: '1',
      TPU_ACCELERATOR_TYPE: 'v5litepod-4'
    });
    expect(asked).toHaveLength(1);
    expect(asked[0]!['metadata-flavor']).toBe('Google');
    expect(devices.notes).toEqual([]);
  });

  it('should say so, and pass no TPU settings, when the metadata server does not answer', async () => {
    const devices = await findHostDevices({
      root,
      tpu: { metadataHost: '127.0.0.1:9', timeoutMs: 500 }
    });
    expect(devices.tpuEnv).toBeUndefined();
    expect(devices.notes[0]).toContain('tpu-env');
  });

  it("should read each NVIDIA GPU's UUID and minor from the driver's /proc files", async () => {
    const gpus = path.join(root, 'proc/driver/nvidia/gpus');
    for (const [bus, minor, uuid] of [
      ['0000:1b:00.0', 1, 'GPU-3e5b0c1a-0000-1111-2222-333344445555'],
      ['0000:0a:00.0', 0, 'GPU-aaaaaaaa-0000-1111-2222-333344445555']
    ] as const) {
      await fs.mkdir(path.join(gpus, bus), { recursive: true });
      await fs.writeFile(
        path.join(gpus, bus, 'information'),
        `Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 42\nGPU UUID: \t ${uuid}\nBus Location: \t ${bus}\nDevice Minor: \t ${minor}\n`
      );
    }
    expect(await readNvidiaGpus(root)).toEqual([
      {
        minor: 0,
        uuid: 'GPU-aaaaaaaa-0000-1111-2222-333344445555',
        busId: '0000:0a:00.0',
        model: 'NVIDIA H100 80GB HBM3'
      },
      {
        minor: 1,
        uuid: 'GPU-3e5b0c1a-0000-1111-2222-333344445555',
        busId: '0000:1b:00.0',
        model: 'NVIDIA H100 80GB HBM3'
      }
    ]);
  });
});

describe('parseProbe()', () => {
  it("should read the probe kernel's line, keeping the CPU even when only a GPU was seen", () => {
    const probe = parseProbe(
      'noise\nJAXLAB_PROBE {"accelerators": [{"kind": "gpu", "count": 8, "deviceKind": "NVIDIA H200"}, {"kind": "quantum", "count": 1}], "platformVersions": {"gpu": "cuda 13000"}, "packages": {"jax": "0.11.2", "jax-cuda13-plugin": "0.11.2"}, "driver": "NVRM version: 580.159.03"}\n'
    );
    expect(probe.accelerators).toEqual([
      { kind: 'gpu', count: 8, deviceKind: 'NVIDIA H200' },
      { kind: 'cpu', count: 1, deviceKind: 'cpu' }
    ]);
    expect(probe.platformVersions).toEqual({ gpu: 'cuda 13000' });
    expect(probe.driver).toContain('580.159.03');
    expect(probe.error).toBeUndefined();
  });

  it('should fall back to the CPU and say why when the probe printed nothing', () => {
    const probe = parseProbe('Traceback ...', 'KERNEL_DEAD: the kernel died');
    expect(probe.accelerators.map(a => a.kind)).toEqual(['cpu']);
    expect(probe.error).toContain('KERNEL_DEAD');
  });
});
