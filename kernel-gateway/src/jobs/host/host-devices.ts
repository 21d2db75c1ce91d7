import type {
  IAcceleratorNodes,
  IDeviceSelection
} from '../../sandbox/device-nodes.js';
import { selectAcceleratorNodes } from '../../sandbox/device-nodes.js';
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
