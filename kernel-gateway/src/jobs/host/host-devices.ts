import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import type {
  IAcceleratorNodes,
  IDeviceSelection
} from '../../sandbox/device-nodes.js';
import { selectAcceleratorNodes } from '../../sandbox/device-nodes.js';
import type { ISandboxDevices } from '../../sandbox/sandbox-policy.js';
import type { INvidiaGpu } from './nvidia-gpus.js';
import { readNvidiaGpus } from './nvidia-gpus.js';
import type { ITpuEnvironmentOptions } from './tpu-environment.js';
import { readTpuEnvironment } from './tpu-environment.js';

/** What the gateway found on its host before probing inside the sandbox. */
export interface IHostDevices {
  /** Accelerator nodes passed to kernels, by vendor. */
  nodes: IAcceleratorNodes[];
  /** NVIDIA GPUs as the driver lists them (for their UUIDs). */
  nvidiaGpus: INvidiaGpu[];
  /** libtpu's variables, read once from the metadata server. */
  tpuEnv?: Record<string, string>;
  /**
   * The folder of the NVIDIA driver's libcuda.so.1 when the dynamic
   * linker's cache does not know it (e.g. /usr/local/nvidia/lib64 of a
   * container runtime, found through LD_LIBRARY_PATH outside): GPU kernels
   * get it bound read-only and on their LD_LIBRARY_PATH.
   */
  cudaDriverDir?: string;
  /** What went wrong on the way, for the start log. */
  notes: string[];
}

/**
 * The host's accelerator nodes (detected, or as the flags say), the
 * NVIDIA driver's list of GPUs, and, with TPU nodes, libtpu's settings from
 * the VM's metadata server (the sandbox has no network to ask itself).
 *
 * @throws JaxLabError `INVALID_REQUEST` for a `--device-path` that is no
 *   accelerator node.
 */
export async function findHostDevices(
  selection: IDeviceSelection & { tpu?: ITpuEnvironmentOptions } = {}
): Promise<IHostDevices> {
  const nodes = await selectAcceleratorNodes(selection);
  const devices: IHostDevices = { nodes, nvidiaGpus: [], notes: [] };
  if (nodes.some(n => n.vendor === 'nvidia')) {
    devices.nvidiaGpus = await readNvidiaGpus(selection.root);
    devices.cudaDriverDir = await findCudaDriverDir();
  }
  if (nodes.some(n => n.vendor === 'tpu')) {
    try {
      devices.tpuEnv = await readTpuEnvironment(selection.tpu);
    } catch (error) {
      devices.notes.push(
        `TPU nodes found but the metadata server's tpu-env could not be read (${String(error)}); TPU kernels start without libtpu's topology settings`
      );
    }
  }
  return devices;
}

/**
 * Every device of the host at once, as the probe kernel is started: all
 * accelerator nodes, what their runtimes read, libtpu's settings and the
 * CUDA driver's folder.
 */
export function everyDevice(devices: IHostDevices): {
  devices?: ISandboxDevices;
  runtimeEnv: Record<string, string>;
} {
  const driver = devices.cudaDriverDir;
  const nodes = devices.nodes.flatMap(n => [
    ...n.shared,
    ...n.devices.flatMap(d => d.nodes)
  ]);
  return {
    devices: nodes.length
      ? {
          nodes,
          readOnly: [
            ...devices.nodes.flatMap(n => n.readOnly),
            ...(driver ? [{ hostPath: driver, path: driver }] : [])
          ]
        }
      : undefined,
    runtimeEnv: {
      ...devices.tpuEnv,
      ...(driver ? { LD_LIBRARY_PATH: driver } : {})
    }
  };
}

/** Where container runtimes and distributions put the NVIDIA driver's libraries. */
const CUDA_DRIVER_DIRS = [
  '/usr/local/nvidia/lib64',
  '/usr/local/nvidia/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/usr/local/cuda/compat',
  '/usr/lib/wsl/lib'
];

/**
 * The folder holding libcuda.so.1 when the linker cache (`ldconfig -p`)
 * lacks it: first the gateway's own LD_LIBRARY_PATH, then the usual places.
 * Undefined when the cache knows it (nothing to do) or it is nowhere.
 */
export async function findCudaDriverDir(): Promise<string | undefined> {
  const cache = await promisify(execFile)('ldconfig', ['-p'])
    .then(r => r.stdout)
    .catch(() => '');
  if (/\blibcuda\.so\.1\b/.test(cache)) return undefined;
  const candidates = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    ...CUDA_DRIVER_DIRS
  ];
  for (const dir of candidates) {
    try {
      await fs.access(path.join(dir, 'libcuda.so.1'));
      return path.resolve(dir);
    } catch {
      // next
    }
  }
  return undefined;
}
