import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ICgroupSupport } from './cgroup-support.js';
import type { IKernelLauncher } from './kernel-launcher.js';

/**
 * The cgroup(s) of one kernel: created with its limits before the sandbox
 * starts, joined by the sandbox's first process, killed as a whole and
 * removed at teardown. Owns its folders; {@link KernelCgroup.destroy} is
 * idempotent.
 */
export class KernelCgroup {
  /**
   * Creates the kernel's cgroup folders and writes the limits.
   *
   * @throws Error when a folder cannot be created or a limit not written.
   */
  static async create(
    support: ICgroupSupport,
    kernelId: string,
    limits: IKernelLauncher.IResourceLimits
  ): Promise<KernelCgroup> {
    const dirs: Partial<Record<keyof ICgroupSupport['parents'], string>> = {};
    for (const [name, parent] of Object.entries(support.parents)) {
      if (parent) dirs[name as keyof typeof dirs] = path.join(parent, kernelId);
    }
    const cgroup = new KernelCgroup(support.mode, dirs);
    try {
      for (const dir of Object.values(dirs)) await fs.mkdir(dir);
      await cgroup._writeLimits(limits);
    } catch (error) {
      await cgroup.destroy();
      throw error;
    }
    return cgroup;
  }

  /**
   * The cgroup folders a kernel `kernelId` left behind (an earlier gateway
   * run that died without teardown), or undefined when none exists.
   * `extraDirs` adds folders found elsewhere (e.g. from a leftover
   * process's /proc/<pid>/cgroup) for hierarchies without one here.
   */
  static async existing(
    support: ICgroupSupport,
    kernelId: string,
    extraDirs: Partial<Record<keyof ICgroupSupport['parents'], string>> = {}
  ): Promise<KernelCgroup | undefined> {
    const dirs: Partial<Record<keyof ICgroupSupport['parents'], string>> = {};
    for (const [name, parent] of Object.entries(support.parents)) {
      const dir = parent ? path.join(parent, kernelId) : undefined;
      if (dir && (await exists(dir))) dirs[name as keyof typeof dirs] = dir;
    }
    for (const [name, dir] of Object.entries(extraDirs)) {
      const key = name as keyof typeof dirs;
      if (!dirs[key] && dir && (await exists(dir))) dirs[key] = dir;
    }
    return Object.keys(dirs).length > 0
      ? new KernelCgroup(support.mode, dirs)
      : undefined;
  }

  private constructor(
    mode: ICgroupSupport['mode'],
    dirs: Partial<Record<keyof ICgroupSupport['parents'], string>>
  ) {
    this._mode = mode;
    this._dirs = dirs;
  }

  /** The cgroup folders, per hierarchy. */
  get dirs(): Readonly<
    Partial<Record<keyof ICgroupSupport['parents'], string>>
  > {
    return this._dirs;
  }

  /** Moves process `pid` (and its future children) into every hierarchy. */
  async addProcess(pid: number): Promise<void> {
    for (const dir of Object.values(this._dirs)) {
      await fs.writeFile(path.join(dir, 'cgroup.procs'), String(pid));
    }
  }

  /** Pids still in the kernel's cgroup. */
  async pids(): Promise<number[]> {
    const dir = this._dirs.unified ?? this._dirs.pids ?? this._dirs.memory;
    if (!dir) return [];
    const text = await fs
      .readFile(path.join(dir, 'cgroup.procs'), 'utf8')
      .catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  /** Whether the kernel's memory limit made the OOM killer act. */
  async wasOomKilled(): Promise<boolean> {
    if (this._mode === 'v2' && this._dirs.unified) {
      return (
        (await readKeyed(
          path.join(this._dirs.unified, 'memory.events'),
          'oom_kill'
        )) > 0
      );
    }
    if (this._dirs.memory) {
      return (
        (await readKeyed(
          path.join(this._dirs.memory, 'memory.oom_control'),
          'oom_kill'
        )) > 0
      );
    }
    return false;
  }

  /**
   * The most memory the kernel's processes held at once, in bytes: v2
   * `memory.peak` (Linux 5.19+), v1 `memory.max_usage_in_bytes`; undefined
   * where the kernel keeps no such figure.
   */
  async peakMemoryBytes(): Promise<number | undefined> {
    const file =
      this._mode === 'v2' && this._dirs.unified
        ? path.join(this._dirs.unified, 'memory.peak')
        : this._dirs.memory
          ? path.join(this._dirs.memory, 'memory.max_usage_in_bytes')
          : undefined;
    if (!file) return undefined;
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const bytes = Number(text.trim());
    return text.trim() && Number.isSafeInteger(bytes) ? bytes : undefined;
  }

  /**
   * Sets the kernel's CPU weight (cgroup v2 scale, 1-10000; v1 cpu.shares
   * = weight x 1024 / 100) where it has a cpu controller; else nothing.
   */
  async setCpuWeight(weight: number): Promise<void> {
    const { unified, cpu } = this._dirs;
    if (this._mode === 'v2' && unified) {
      const file = path.join(unified, 'cpu.weight');
      if (await exists(file)) {
        await fs.writeFile(file, String(cpuWeightV2(weight)));
      }
    } else if (cpu) {
      await fs.writeFile(
        path.join(cpu, 'cpu.shares'),
        String(cpuSharesV1(weight))
      );
    }
  }

  /** Whether a fork was refused because of the pids limit. */
  async hitPidsLimit(): Promise<boolean> {
    const dir = this._mode === 'v2' ? this._dirs.unified : this._dirs.pids;
    if (!dir) return false;
    return (await readKeyed(path.join(dir, 'pids.events'), 'max')) > 0;
  }

  /**
   * Kills every process of the kernel atomically (no fork can escape) and
   * waits until none is left: `cgroup.kill` where a v2 folder exists, else
   * freeze, SIGKILL each, thaw.
   *
   * @throws Error when processes are still there after `timeoutMs`.
   */
  async killAll(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.pids()).length > 0) {
      if (Date.now() > deadline) {
        throw new Error(
          `Processes left in ${Object.values(this._dirs).join(', ')}`
        );
      }
      await this._killOnce();
      await sleep(20);
    }
  }

  /** Kills what is left, then removes the folders. Idempotent. */
  async destroy(): Promise<void> {
    try {
      await this.killAll();
    } finally {
      for (const dir of Object.values(this._dirs)) {
        await fs.rmdir(dir).catch(error => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        });
      }
    }
  }

  private async _killOnce(): Promise<void> {
    const unified = this._dirs.unified;
    if (unified && (await exists(path.join(unified, 'cgroup.kill')))) {
      await fs.writeFile(path.join(unified, 'cgroup.kill'), '1');
      return;
    }
    const freezer = this._dirs.freezer;
    if (freezer)
      await fs.writeFile(path.join(freezer, 'freezer.state'), 'FROZEN');
    try {
      for (const pid of await this.pids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    } finally {
      if (freezer)
        await fs.writeFile(path.join(freezer, 'freezer.state'), 'THAWED');
    }
  }

  private async _writeLimits(
    limits: IKernelLauncher.IResourceLimits
  ): Promise<void> {
    const { unified, memory, pids, cpu } = this._dirs;
    const quotaUs = Math.round(limits.cpuMaxCores * CFS_PERIOD_US);
    if (this._mode === 'v2' && unified) {
      await fs.writeFile(
        path.join(unified, 'memory.max'),
        String(limits.memoryMaxBytes)
      );
      await fs
        .writeFile(path.join(unified, 'memory.swap.max'), '0')
        .catch(() => undefined); // absent without swap accounting
      await fs.writeFile(
        path.join(unified, 'pids.max'),
        String(limits.pidsMax)
      );
      // Absent when the cpu controller is not delegated to the gateway.
      if (await exists(path.join(unified, 'cpu.weight'))) {
        await fs.writeFile(
          path.join(unified, 'cpu.weight'),
          String(cpuWeightV2(limits.cpuWeight))
        );
        await fs.writeFile(
          path.join(unified, 'cpu.max'),
          quotaUs > 0 ? `${quotaUs} ${CFS_PERIOD_US}` : `max ${CFS_PERIOD_US}`
        );
      }
      return;
    }
    if (memory) {
      await fs.writeFile(
        path.join(memory, 'memory.limit_in_bytes'),
        String(limits.memoryMaxBytes)
      );
      // memsw (memory + swap) must not be below limit_in_bytes; absent
      // when the kernel has no swap accounting.
      await fs
        .writeFile(
          path.join(memory, 'memory.memsw.limit_in_bytes'),
          String(limits.memoryMaxBytes)
        )
        .catch(() => undefined);
    }
    if (pids)
      await fs.writeFile(path.join(pids, 'pids.max'), String(limits.pidsMax));
    if (cpu) {
      await fs.writeFile(
        path.join(cpu, 'cpu.shares'),
        String(cpuSharesV1(limits.cpuWeight))
      );
      await fs.writeFile(
        path.join(cpu, 'cpu.cfs_period_us'),
        String(CFS_PERIOD_US)
      );
      await fs.writeFile(
        path.join(cpu, 'cpu.cfs_quota_us'),
        String(quotaUs > 0 ? quotaUs : -1)
      );
    }
  }

  private readonly _mode: ICgroupSupport['mode'];
  private readonly _dirs: Partial<
    Record<keyof ICgroupSupport['parents'], string>
  >;
}

/** CFS period of CPU quotas (100 ms, the kernel's default). */
const CFS_PERIOD_US = 100_000;

function cpuWeightV2(weight: number): number {
  return clamp(Math.round(weight), 1, 10_000);
}

function cpuSharesV1(weight: number): number {
  return clamp(Math.round((weight * 1024) / 100), 2, 262_144);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Reads `key value` lines (memory.events, oom_control, pids.events). */
async function readKeyed(file: string, key: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name === key) return Number(value) || 0;
  }
  return 0;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false
  );
}
