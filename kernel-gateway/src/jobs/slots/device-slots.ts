import type { Accelerator, DeviceInfo, DeviceSlot } from '@jaxlab/schemas';
import type { IJobQueue } from '@jaxlab/store';

import type { IAcceleratorNodes, IBind } from '../../sandbox/device-nodes.js';
import type { ISandboxDevices } from '../../sandbox/sandbox-policy.js';
import type { IHostAccelerator } from '../host/accelerator-detector.js';
import type { INvidiaGpu } from '../host/nvidia-gpus.js';

/** What a job gets from the slots it holds: devices, environment, facts. */
export interface ISlotGrant {
  slotIds: string[];
  /** Device nodes for its sandbox (none for the CPU). */
  devices?: ISandboxDevices;
  /** JAX_PLATFORMS, device visibility, XLA memory settings, TPU settings. */
  runtimeEnv: Record<string, string>;
  /** The job's devices, from the gateway's own probe: the run's facts. */
  device: DeviceInfo;
}

/** How a host's slots are laid out; see {@link DeviceSlots.plan}. */
export interface ISlotPlanOptions {
  /** What the probe kernel saw inside the sandbox. */
  accelerators: readonly IHostAccelerator[];
  /** The accelerator nodes passed to kernels, by vendor. */
  nodes?: readonly IAcceleratorNodes[];
  /** NVIDIA GPUs as the driver lists them (for their UUIDs). */
  nvidiaGpus?: readonly INvidiaGpu[];
  /** libtpu's variables for TPU kernels (see tpu-environment.ts). */
  tpuEnv?: Record<string, string>;
  /** libcuda.so.1's folder where the linker cache lacks it (host-devices.ts). */
  cudaDriverDir?: string;
  /** CPU jobs at once (default 1). */
  cpuSlots?: number;
  /** Most XLA CPU devices one CPU job may ask for (default 8). */
  cpuDevices?: number;
  /** Jobs sharing one GPU, each with its share of its memory (default 1). */
  gpuJobsPerDevice?: number;
}

interface ISlot {
  info: Omit<DeviceSlot, 'jobId'>;
  /** Physical device (GPU ordinal); slots of one device share it. */
  device: number;
  /** Its own device nodes. */
  nodes: IBind[];
  /** Its entry of CUDA_VISIBLE_DEVICES / HIP_VISIBLE_DEVICES. */
  visibleId: string;
  jobId: string | null;
}

interface IKindPlan {
  accelerator: Accelerator;
  deviceKind: string;
  /** Devices of the kind (GPUs, TPU chips, XLA CPU devices a job may ask). */
  count: number;
  shared: IBind[];
  readOnly: IBind[];
  env: Record<string, string>;
  /** Name of the visibility variable (GPUs only). */
  visibleVariable?: string;
  /** Whether each slot gets only its own device's nodes. */
  isIsolated: boolean;
}

/**
 * The device slots of one host and which job holds each: a TPU host has
 * one slot over all its chips (one process owns them), a GPU host one per
 * GPU (or `gpuJobsPerDevice` per GPU, each with that share of its memory),
 * the CPU `cpuSlots`. A job asking for n devices holds n GPU slots on n
 * distinct GPUs, the TPU slot (n ≤ its chips), or one CPU slot with n XLA
 * CPU devices. {@link capacity} is what the queue may give now, so a job is
 * claimed only when a slot of its accelerator is free.
 *
 * Used by one job runner only (no locking): claims happen one at a time.
 */
export class DeviceSlots {
  private constructor(kinds: IKindPlan[], slots: ISlot[]) {
    this._kinds = new Map(kinds.map(k => [k.accelerator, k]));
    this._slots = slots;
  }

  /**
   * Lays out the slots from what the probe saw: only accelerators JAX could
   * use inside the sandbox get slots. GPU slots get only their own GPU's
   * nodes and are selected by UUID when the driver lists every GPU's UUID
   * and there is one node per GPU; otherwise every slot sees every GPU node
   * and is selected by ordinal (CUDA_DEVICE_ORDER=PCI_BUS_ID).
   */
  static plan(options: ISlotPlanOptions): DeviceSlots {
    const kinds: IKindPlan[] = [];
    const slots: ISlot[] = [];
    const found = (kind: Accelerator) =>
      options.accelerators.find(a => a.kind === kind && a.count > 0);
    const tpu = found('tpu');
    const tpuNodes = options.nodes?.find(n => n.vendor === 'tpu');
    if (tpu) {
      kinds.push({
        accelerator: 'tpu',
        deviceKind: tpu.deviceKind ?? 'tpu',
        count: tpu.count,
        shared: allNodes(tpuNodes),
        readOnly: tpuNodes?.readOnly ?? [],
        env: { JAX_PLATFORMS: 'tpu', ...options.tpuEnv },
        isIsolated: false
      });
      slots.push(slot('tpu', 'tpu', tpu.count, tpu.deviceKind, 0, [], ''));
    }
    const gpu = found('gpu');
    const gpuNodes = options.nodes?.find(n => n.vendor !== 'tpu');
    if (gpu) {
      const perDevice = Math.max(1, Math.floor(options.gpuJobsPerDevice ?? 1));
      const isNvidia = gpuNodes?.vendor !== 'amd';
      const uuids = (gpuNodes?.devices ?? []).map(
        d => options.nvidiaGpus?.find(g => g.minor === d.index)?.uuid
      );
      const isIsolated =
        isNvidia &&
        gpuNodes !== undefined &&
        gpuNodes.devices.length === gpu.count &&
        uuids.every(u => u !== undefined);
      kinds.push({
        accelerator: 'gpu',
        deviceKind: gpu.deviceKind ?? 'gpu',
        count: gpu.count,
        shared: isIsolated ? gpuNodes!.shared : allNodes(gpuNodes),
        readOnly: [
          ...(gpuNodes?.readOnly ?? []),
          ...(options.cudaDriverDir
            ? [{ hostPath: options.cudaDriverDir, path: options.cudaDriverDir }]
            : [])
        ],
        env: {
          JAX_PLATFORMS: isNvidia ? 'cuda' : 'rocm',
          ...(options.cudaDriverDir
            ? { LD_LIBRARY_PATH: options.cudaDriverDir }
            : {}),
          ...(isNvidia ? { CUDA_DEVICE_ORDER: 'PCI_BUS_ID' } : {}),
          // Device memory is not bounded by cgroups: each job preallocates
          // its share up front, so jobs on one GPU cannot starve each other.
          XLA_PYTHON_CLIENT_PREALLOCATE: 'true',
          XLA_PYTHON_CLIENT_MEM_FRACTION: (0.75 / perDevice).toFixed(2)
        },
        visibleVariable: isNvidia
          ? 'CUDA_VISIBLE_DEVICES'
          : 'HIP_VISIBLE_DEVICES',
        isIsolated
      });
      for (let i = 0; i < gpu.count; i++) {
        for (let j = 0; j < perDevice; j++) {
          slots.push(
            slot(
              perDevice === 1 ? `gpu${i}` : `gpu${i}-${j + 1}`,
              'gpu',
              1,
              gpu.deviceKind,
              i,
              isIsolated ? gpuNodes!.devices[i]!.nodes : [],
              isIsolated ? uuids[i]! : String(i)
            )
          );
        }
      }
    }
    const cpuDevices = Math.max(1, Math.floor(options.cpuDevices ?? 8));
    kinds.push({
      accelerator: 'cpu',
      deviceKind: found('cpu')?.deviceKind ?? 'cpu',
      count: cpuDevices,
      shared: [],
      readOnly: [],
      env: { JAX_PLATFORMS: 'cpu' },
      isIsolated: false
    });
    const cpuSlots = Math.max(1, Math.floor(options.cpuSlots ?? 1));
    for (let i = 0; i < cpuSlots; i++) {
      slots.push(slot(`cpu${i}`, 'cpu', cpuDevices, 'cpu', i, [], ''));
    }
    return new DeviceSlots(kinds, slots);
  }

  /** Every slot and the job holding it, for the host's registration. */
  get slots(): DeviceSlot[] {
    return this._slots.map(s => ({ ...s.info, jobId: s.jobId }));
  }

  /** What the free slots can take now, for {@link IJobQueue.claimNext}. */
  capacity(): IJobQueue.ICapacity[] {
    const capacity: IJobQueue.ICapacity[] = [];
    for (const kind of this._kinds.values()) {
      const free = this._freeDevices(kind.accelerator);
      if (free.length === 0) continue;
      capacity.push({
        accelerator: kind.accelerator,
        maxDevices: kind.accelerator === 'gpu' ? free.length : kind.count
      });
    }
    return capacity;
  }

  /** The most devices of `accelerator` one job can ever get here (0: none). */
  largestJob(accelerator: Accelerator): number {
    return this._kinds.get(accelerator)?.count ?? 0;
  }

  /**
   * Gives `job` the slots it needs, or undefined when they are not free
   * (the queue only hands out jobs that {@link capacity} admits).
   */
  acquire(job: {
    id: string;
    accelerator: Accelerator;
    deviceCount?: number;
  }): ISlotGrant | undefined {
    const kind = this._kinds.get(job.accelerator);
    const wanted = job.deviceCount ?? 1;
    if (!kind || wanted > kind.count) return undefined;
    const free = this._freeDevices(job.accelerator);
    const taken =
      kind.accelerator === 'gpu' ? free.slice(0, wanted) : free.slice(0, 1);
    if (
      taken.length === 0 ||
      (kind.accelerator === 'gpu' && taken.length < wanted)
    ) {
      return undefined;
    }
    for (const s of taken) s.jobId = job.id;
    return this._grantOf(kind, taken, wanted);
  }

  /**
   * What a one-device job on slot `slotId` would be given, without taking
   * the slot: the warm pool prepares kernels for it.
   */
  grantOf(slotId: string): ISlotGrant | undefined {
    const slot = this._slots.find(s => s.info.id === slotId);
    const kind = slot && this._kinds.get(slot.info.accelerator);
    return kind ? this._grantOf(kind, [slot], 1) : undefined;
  }

  private _grantOf(
    kind: IKindPlan,
    taken: ISlot[],
    wanted: number
  ): ISlotGrant {
    const env = { ...kind.env };
    if (kind.visibleVariable) {
      env[kind.visibleVariable] = taken.map(s => s.visibleId).join(',');
    }
    if (kind.accelerator === 'cpu' && wanted > 1) {
      env.XLA_FLAGS = `--xla_force_host_platform_device_count=${wanted}`;
    }
    const nodes = [...kind.shared, ...taken.flatMap(s => s.nodes)];
    return {
      slotIds: taken.map(s => s.info.id),
      devices:
        nodes.length > 0 ? { nodes, readOnly: kind.readOnly } : undefined,
      runtimeEnv: env,
      device: {
        platform: kind.accelerator,
        count: kind.accelerator === 'tpu' ? kind.count : wanted,
        kinds: [kind.deviceKind]
      }
    };
  }

  /** Frees the slots `jobId` holds. */
  release(jobId: string): void {
    for (const s of this._slots) if (s.jobId === jobId) s.jobId = null;
  }

  /** One line for the gateway's start log. */
  describe(): string {
    return [...this._kinds.values()]
      .map(kind => {
        const ids = this._slots
          .filter(s => s.info.accelerator === kind.accelerator)
          .map(s => s.info.id);
        const how =
          kind.accelerator !== 'gpu'
            ? ''
            : kind.isIsolated
              ? `, each with only its GPU's device nodes, ${kind.visibleVariable} by UUID`
              : `, ${kind.visibleVariable} by ordinal (every slot sees every GPU node)`;
        const what =
          kind.accelerator === 'cpu'
            ? `up to ${kind.count} XLA CPU device(s) per job`
            : `${kind.count} × ${kind.deviceKind}`;
        return `${kind.accelerator}: ${what}, slots ${ids.join(' ')}${how}`;
      })
      .join('; ');
  }

  /**
   * Free slots of `accelerator`, at most one per physical device (jobs
   * asking for several GPUs get distinct GPUs), lowest first.
   */
  private _freeDevices(accelerator: Accelerator): ISlot[] {
    const seen = new Set<number>();
    return this._slots.filter(s => {
      if (s.info.accelerator !== accelerator || s.jobId !== null) return false;
      // A GPU shared by several slots still counts as one device: a job
      // asking for two GPUs must not get two shares of the same one.
      if (accelerator === 'gpu' && seen.has(s.device)) return false;
      seen.add(s.device);
      return true;
    });
  }

  private _kinds: Map<Accelerator, IKindPlan>;
  private _slots: ISlot[];
}

function slot(
  id: string,
  accelerator: Accelerator,
  deviceCount: number,
  deviceKind: string | undefined,
  device: number,
  nodes: IBind[],
  visibleId: string
): ISlot {
  const info: Omit<DeviceSlot, 'jobId'> = { id, accelerator, deviceCount };
  if (deviceKind) info.deviceKind = deviceKind;
  return { info, device, nodes, visibleId, jobId: null };
}

function allNodes(group: IAcceleratorNodes | undefined): IBind[] {
  return group ? [...group.shared, ...group.devices.flatMap(d => d.nodes)] : [];
}
