import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * How kernels' memory and process limits are enforced on this host:
 * - `v2`: one cgroup v2 per kernel (memory.max, memory.swap.max=0,
 *   pids.max, cpu.weight and cpu.max where the cpu controller is
 *   delegated, cgroup.kill);
 * - `v1`: cgroup v1 memory and pids controllers (and cpu for cpu.shares and
 *   the CFS quota, when mounted), killed through the v2 hierarchy's
 *   cgroup.kill when one is mounted (hybrid hosts) or else the v1 freezer;
 * - `rlimit`: no usable cgroup; per-process rlimits only.
 */
export type CgroupMode = 'v2' | 'v1' | 'rlimit';

/** What {@link detectCgroupSupport} found: where each kernel cgroup goes. */
export interface ICgroupSupport {
  mode: CgroupMode;
  /** Parent folders under which `<kernelId>` folders are created, per hierarchy. */
  parents: ICgroupParents;
  /** Why the mode was chosen (for logs and probeSandbox()). */
  reason: string;
}

/** Parent folders of kernel cgroups per hierarchy (absent when unused). */
export interface ICgroupParents {
  unified?: string;
  memory?: string;
  pids?: string;
  freezer?: string;
  /** v1 cpu controller (cpu.shares, cpu.cfs_quota_us). */
  cpu?: string;
}

/** One cgroup mount of /proc/self/mountinfo. */
export interface ICgroupMount {
  mountPoint: string;
  /** 'cgroup2', or the v1 controllers of the mount (e.g. ['memory']). */
  kind: 'cgroup2' | string[];
}

/**
 * Parses the cgroup mounts out of /proc/self/mountinfo text.
 */
export function parseCgroupMounts(mountinfo: string): ICgroupMount[] {
  const mounts: ICgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fsType, , superOptions = ''] = right.split(' ');
    if (!mountPoint) continue;
    if (fsType === 'cgroup2') {
      mounts.push({ mountPoint, kind: 'cgroup2' });
    } else if (fsType === 'cgroup') {
      const controllers = superOptions
        .split(',')
        .filter(o => ['memory', 'pids', 'freezer', 'cpu'].includes(o));
      if (controllers.length > 0)
        mounts.push({ mountPoint, kind: controllers });
    }
  }
  return mounts;
}

/**
 * Parses /proc/self/cgroup: hierarchy key ('' for v2, else the v1
 * controller list joined by ',') to the cgroup path of this process.
 */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match) paths.set(match[1]!, match[2]!);
  }
  return paths;
}

/** Facts about the host that decide the cgroup mode (pure input). */
export interface ICgroupFacts {
  mounts: ICgroupMount[];
  ownCgroups: Map<string, string>;
  /** Controllers delegated to the kernels' v2 parent (its cgroup.subtree_control): memory, pids, cpu. */
  v2Controllers: string[];
  /** Whether the gateway may create folders in each candidate parent. */
  isWritable: (dir: string) => boolean;
}

/**
 * Picks the cgroup mode from host facts: v2 when the unified hierarchy
 * delegates memory and pids, else v1 when memory and pids controllers are
 * mounted and writable, else rlimits only. Kernel cgroups nest under the
 * gateway's own cgroup (`<own>/jaxlab`), so the gateway's limits bound them.
 */
export function selectCgroupMode(facts: ICgroupFacts): ICgroupSupport {
  const parentOf = (mountPoint: string, key: string): string =>
    path.join(mountPoint, facts.ownCgroups.get(key) ?? '/', 'jaxlab');
  const unifiedMount = facts.mounts.find(m => m.kind === 'cgroup2');
  const unified =
    unifiedMount && facts.ownCgroups.has('')
      ? parentOf(unifiedMount.mountPoint, '')
      : undefined;
  const usableUnified =
    unified && facts.isWritable(unified) ? unified : undefined;
  if (
    usableUnified &&
    facts.v2Controllers.includes('memory') &&
    facts.v2Controllers.includes('pids')
  ) {
    const hasCpu = facts.v2Controllers.includes('cpu');
    return {
      mode: 'v2',
      parents: { unified: usableUnified },
      reason: `cgroup v2 with memory and pids${hasCpu ? ' and cpu' : ''} controllers`
    };
  }
  const v1 = (controller: string): string | undefined => {
    const mount = facts.mounts.find(
      m => Array.isArray(m.kind) && m.kind.includes(controller)
    );
    if (!mount || !Array.isArray(mount.kind)) return undefined;
    const dir = parentOf(mount.mountPoint, mount.kind.join(','));
    return facts.isWritable(dir) ? dir : undefined;
  };
  const memory = v1('memory');
  const pids = v1('pids');
  if (memory && pids) {
    const freezer = v1('freezer');
    const cpu = v1('cpu');
    return {
      mode: 'v1',
      parents: { memory, pids, freezer, cpu, unified: usableUnified },
      reason:
        `cgroup v1 memory and pids${cpu ? ' and cpu' : ''} controllers` +
        (usableUnified
          ? ' (teardown via the v2 hierarchy cgroup.kill)'
          : freezer
            ? ' (teardown via the v1 freezer)'
            : ' (teardown by signalling each process)')
    };
  }
  return {
    mode: 'rlimit',
    parents: {},
    reason: 'no writable cgroup with memory and pids controllers: rlimits only'
  };
}

/**
 * Reads the host's cgroup facts and selects the mode (see
 * {@link selectCgroupMode}). Creates the `jaxlab` parent folders it uses.
 */
export async function detectCgroupSupport(): Promise<ICgroupSupport> {
  const [mountinfo, own] = await Promise.all([
    fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
    fs.readFile('/proc/self/cgroup', 'utf8').catch(() => '')
  ]);
  const mounts = parseCgroupMounts(mountinfo);
  const ownCgroups = parseProcCgroup(own);
  const writable = new Set<string>();
  const candidates: string[] = [];
  for (const mount of mounts) {
    const key = mount.kind === 'cgroup2' ? '' : mount.kind.join(',');
    if (!ownCgroups.has(key)) continue;
    candidates.push(
      path.join(mount.mountPoint, ownCgroups.get(key)!, 'jaxlab')
    );
  }
  for (const dir of candidates) {
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.access(dir, fs.constants.W_OK);
      writable.add(dir);
    } catch {
      // not ours to use
    }
  }
  let v2Controllers: string[] = [];
  const unified = candidates.find(c =>
    mounts.some(m => m.kind === 'cgroup2' && c.startsWith(m.mountPoint))
  );
  if (unified && writable.has(unified)) {
    v2Controllers = await enableV2Controllers(unified);
  }
  return selectCgroupMode({
    mounts,
    ownCgroups,
    v2Controllers,
    isWritable: dir => writable.has(dir)
  });
}

/**
 * Enables memory, pids and cpu for the kernels under `parent` (needs them
 * delegated to the gateway's own cgroup); returns what `parent` delegates.
 */
async function enableV2Controllers(parent: string): Promise<string[]> {
  const read = async (file: string): Promise<string[]> =>
    (await fs.readFile(file, 'utf8').catch(() => ''))
      .split(/\s+/)
      .filter(Boolean);
  const available = await read(path.join(parent, 'cgroup.controllers'));
  const wanted = ['memory', 'pids', 'cpu'].filter(c => available.includes(c));
  if (wanted.length > 0) {
    await fs
      .writeFile(
        path.join(parent, 'cgroup.subtree_control'),
        wanted.map(c => `+${c}`).join(' ')
      )
      .catch(() => undefined);
  }
  return read(path.join(parent, 'cgroup.subtree_control'));
}
