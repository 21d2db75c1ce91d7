import { promises as fs } from 'node:fs';
import path from 'node:path';

import { JaxLabError } from '@jaxlab/schemas';

/** A host path bound into the sandbox at `path`. */
export interface IBind {
  /** Where it is on the host (differs from `path` only for a fake tree). */
  hostPath: string;
  /** Where the sandbox sees it. */
  path: string;
}

/** Which runtime drives a group of accelerator nodes. */
export type AcceleratorVendor = 'nvidia' | 'amd' | 'tpu';

/**
 * The device nodes of one kind of accelerator on this host: the nodes
 * every job of that kind needs (`shared`: nvidiactl, nvidia-uvm, kfd,
 * vfio/vfio), the nodes of each single device (`devices`: nvidia0,
 * renderD128, accel0, vfio/0, in the order of their number), and what the
 * runtime reads besides (read-only).
 */
export interface IAcceleratorNodes {
  vendor: AcceleratorVendor;
  shared: IBind[];
  devices: IDeviceNodes[];
  readOnly: IBind[];
}

/** The nodes of one device (one GPU, one TPU chip). */
export interface IDeviceNodes {
  /** The node's number (`/dev/nvidia3` → 3): the driver's minor number. */
  index: number;
  nodes: IBind[];
}

interface INodeRule {
  vendor: AcceleratorVendor;
  /** Path under /dev. */
  pattern: RegExp;
  /** Whether it belongs to one device (its number is the first group). */
  isPerDevice: boolean;
}

/**
 * What is passed, by name under /dev: NVIDIA's control, UVM, modeset and
 * capability nodes and one nvidia<N> per GPU; AMD ROCm's kfd and one DRM
 * render node per GPU; Cloud TPU's accel<N> (v2-v4) or VFIO groups (v5e,
 * v5p, v6e: the container node vfio/vfio and one group per chip).
 */
const NODE_RULES: readonly INodeRule[] = [
  { vendor: 'nvidia', pattern: /^nvidiactl$/, isPerDevice: false },
  { vendor: 'nvidia', pattern: /^nvidia-uvm$/, isPerDevice: false },
  { vendor: 'nvidia', pattern: /^nvidia-uvm-tools$/, isPerDevice: false },
  { vendor: 'nvidia', pattern: /^nvidia-modeset$/, isPerDevice: false },
  { vendor: 'nvidia', pattern: /^nvidia-caps\/[\w-]+$/, isPerDevice: false },
  { vendor: 'nvidia', pattern: /^nvidia(\d+)$/, isPerDevice: true },
  { vendor: 'amd', pattern: /^kfd$/, isPerDevice: false },
  { vendor: 'amd', pattern: /^dri\/renderD(\d+)$/, isPerDevice: true },
  { vendor: 'tpu', pattern: /^accel(\d+)$/, isPerDevice: true },
  { vendor: 'tpu', pattern: /^vfio\/vfio$/, isPerDevice: false },
  { vendor: 'tpu', pattern: /^vfio\/(\d+)$/, isPerDevice: true }
];

/** Folders under /dev that may hold accelerator nodes. */
const NODE_FOLDERS = ['', 'nvidia-caps', 'dri', 'vfio'];

/**
 * What each runtime reads besides its nodes, bound read-only when present:
 * the PCI tree (JAX counts TPU chips by their PCI vendor id; XLA reads each
 * GPU's NUMA node there), NVIDIA's driver information, ROCm's KFD topology,
 * and the IOMMU groups of VFIO TPUs.
 */
const READ_ONLY_PATHS: Readonly<Record<AcceleratorVendor, readonly string[]>> =
  {
    nvidia: ['/proc/driver/nvidia', '/sys/bus/pci', '/sys/devices'],
    amd: ['/sys/class/kfd', '/sys/class/drm', '/sys/bus/pci', '/sys/devices'],
    tpu: [
      '/sys/class/accel',
      '/sys/kernel/iommu_groups',
      '/sys/bus/pci',
      '/sys/devices'
    ]
  };

/**
 * Finds the accelerator device nodes of the host: character devices under
 * `<root>/dev` matching the known NVIDIA, AMD and TPU names, grouped by
 * vendor. Nothing else of /dev is ever returned. `root` is `/` on a real
 * host; tests pass a folder holding a fake `dev/` tree.
 */
export async function findAcceleratorNodes(
  root = '/'
): Promise<IAcceleratorNodes[]> {
  const found: string[] = [];
  for (const folder of NODE_FOLDERS) {
    let entries: string[];
    try {
      entries = await fs.readdir(path.join(root, 'dev', folder));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = folder ? `${folder}/${entry}` : entry;
      if (!NODE_RULES.some(rule => rule.pattern.test(name))) continue;
      const stat = await fs
        .lstat(path.join(root, 'dev', name))
        .catch(() => null);
      if (stat?.isCharacterDevice()) found.push(name);
    }
  }
  return groupAcceleratorNodes(
    found.map(name => ({
      hostPath: path.join(root, 'dev', name),
      path: `/dev/${name}`
    })),
    root
  );
}

/** How the gateway was told to choose device nodes. */
export interface IDeviceSelection {
  /** `--no-devices`: pass none, even where detection finds some. */
  noDevices?: boolean;
  /** `--device-path`: exactly these, instead of detection. */
  devicePaths?: readonly string[];
  /** Root of the tree detection reads (tests: a fake tree). Default `/`. */
  root?: string;
}

/**
 * The accelerator nodes to pass: none with `noDevices`, exactly
 * `devicePaths` when given, else what {@link findAcceleratorNodes} finds.
 *
 * @throws JaxLabError `INVALID_REQUEST` for an unknown `devicePaths` entry.
 */
export async function selectAcceleratorNodes(
  selection: IDeviceSelection = {}
): Promise<IAcceleratorNodes[]> {
  if (selection.noDevices) return [];
  if (selection.devicePaths?.length) {
    return acceleratorNodesOf(selection.devicePaths);
  }
  return findAcceleratorNodes(selection.root);
}

/**
 * Groups nodes named by path (the `--device-path` flag, which replaces
 * detection) as {@link findAcceleratorNodes} would.
 *
 * @throws JaxLabError `INVALID_REQUEST` for a path that is not a known
 *   accelerator node name (e.g. `/dev/sda`).
 */
export async function acceleratorNodesOf(
  paths: readonly string[]
): Promise<IAcceleratorNodes[]> {
  const unknown = paths.filter(p => !ruleOf(p));
  if (unknown.length > 0) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      `Not an accelerator device node: ${unknown.join(', ')}`,
      {
        hint: 'Name NVIDIA (/dev/nvidia*), AMD (/dev/kfd, /dev/dri/renderD*) or TPU (/dev/accel*, /dev/vfio/*) nodes only.'
      }
    );
  }
  return groupAcceleratorNodes(
    paths.map(p => ({ hostPath: p, path: p })),
    '/'
  );
}

async function groupAcceleratorNodes(
  binds: IBind[],
  root: string
): Promise<IAcceleratorNodes[]> {
  const groups = new Map<AcceleratorVendor, IAcceleratorNodes>();
  for (const bind of binds.sort((a, b) =>
    a.path.localeCompare(b.path, 'en', { numeric: true })
  )) {
    const rule = ruleOf(bind.path);
    if (!rule) continue;
    let group = groups.get(rule.vendor);
    if (!group) {
      group = { vendor: rule.vendor, shared: [], devices: [], readOnly: [] };
      groups.set(rule.vendor, group);
    }
    if (!rule.isPerDevice) {
      group.shared.push(bind);
      continue;
    }
    const index = Number(rule.pattern.exec(bind.path.slice(5))![1]);
    let device = group.devices.find(d => d.index === index);
    if (!device) group.devices.push((device = { index, nodes: [] }));
    device.nodes.push(bind);
  }
  for (const group of groups.values()) {
    group.devices.sort((a, b) => a.index - b.index);
    for (const readOnly of READ_ONLY_PATHS[group.vendor]) {
      const hostPath = path.join(root, readOnly);
      if (await exists(hostPath))
        group.readOnly.push({ hostPath, path: readOnly });
    }
  }
  // A vendor without a single device node has nothing to run on.
  return [...groups.values()].filter(g => g.devices.length > 0);
}

function ruleOf(devPath: string): INodeRule | undefined {
  if (!devPath.startsWith('/dev/')) return undefined;
  const name = devPath.slice(5);
  return NODE_RULES.find(rule => rule.pattern.test(name));
}

async function exists(hostPath: string): Promise<boolean> {
  try {
    await fs.access(hostPath);
    return true;
  } catch {
    return false;
  }
}
