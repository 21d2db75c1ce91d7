import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';

import {
  FLOODING_CPU_WEIGHT,
  processTree,
  setPriorityOfProcesses
} from './cpu-priority.js';
import type { KernelCgroup } from './kernel-cgroup.js';
import type { IKernelProcess } from './kernel-launcher.js';
import type { LogSink } from '../log/gateway-log.js';

/** SIGXCPU: what RLIMIT_CPU's soft limit sends. */
const SIGXCPU_NUMBER = 24;

/**
 * One program running in the sandbox (a kernel, or any argv in tests).
 * Owns the bwrap process, the kernel's cgroup and the wall-clock timer;
 * {@link SandboxedProcess.dispose} kills every process of the sandbox and
 * resolves once none is left and the cgroup is gone.
 */
export class SandboxedProcess implements IKernelProcess {
  /** @internal Use BubblewrapLauncher.launch() or launchProgram(). */
  constructor(options: SandboxedProcess.IOptions) {
    this._cgroup = options.cgroup;
    this._cpuWeight = options.cpuWeight;
    this._log = options.log;
    this.pid = options.child.pid!;
    this.stdout = options.child.stdout!;
    this.stderr = options.child.stderr!;
    const info = options.child.stdio[4] as Readable | undefined;
    this._sandboxInitPid = readChildPid(info);
    this._closed = new Promise(resolve => {
      options.child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.exited = this._closed.then(status => this._finish(status));
    if (Number.isFinite(options.wallClockLimitMs)) {
      this._wallClockTimer = setTimeout(() => {
        this._limit ??= 'wall-clock';
        this._log?.(
          `wall-clock limit of ${options.wallClockLimitMs} ms reached`
        );
        void this._killAll();
      }, options.wallClockLimitMs);
      this._wallClockTimer.unref();
    }
  }

  /** Host pid of bwrap. */
  readonly pid: number;
  /** The sandboxed program's stdout (read it, or it is drained to the log). */
  readonly stdout: Readable;
  /** The sandboxed program's stderr. */
  readonly stderr: Readable;
  /** Resolves once every process of the sandbox is gone, with how it ended. */
  readonly exited: Promise<IKernelProcess.IExit>;

  /**
   * Host pid of the sandboxed program itself (child of the sandbox's init),
   * or undefined once it is gone.
   */
  async programPid(): Promise<number | undefined> {
    const init = await this._sandboxInitPid;
    if (init === undefined) return undefined;
    const children = await fs
      .readFile(`/proc/${init}/task/${init}/children`, 'utf8')
      .catch(() => '');
    const first = Number(children.trim().split(/\s+/)[0]);
    return first > 0 ? first : undefined;
  }

  /** Peak memory of the sandbox's cgroup so far, when one is kept. */
  async peakMemoryBytes(): Promise<number | undefined> {
    return this._cgroup?.peakMemoryBytes();
  }

  /**
   * Lowers (`low`) or restores (`normal`) the CPU priority of the whole
   * sandbox: the cgroup's CPU weight, where it has a cpu controller, and
   * every thread's nice value (what decides where it has none).
   */
  async setCpuPriority(priority: IKernelProcess.CpuPriority): Promise<void> {
    await this._cgroup?.setCpuWeight(
      priority === 'low' ? FLOODING_CPU_WEIGHT : this._cpuWeight
    );
    const pids = this._cgroup
      ? await this._cgroup.pids()
      : await processTree(this.pid);
    await setPriorityOfProcesses(pids, priority);
  }

  /** Sends `signal` to the sandboxed program (SIGINT interrupts a kernel). */
  signal(signal: NodeJS.Signals): void {
    void this.programPid().then(pid => {
      if (pid === undefined) return;
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    });
  }

  /** Kills and reaps every process of the sandbox. Idempotent. */
  async dispose(): Promise<void> {
    this._isDisposed = true;
    await this._killAll();
    await this.exited;
  }

  private async _killAll(): Promise<void> {
    // Killing the PID namespace's init makes the kernel kill every process
    // in the namespace; bwrap (its parent) then reaps it and exits. bwrap
    // itself is killed only if it lingers, so that the init is not
    // orphaned to a host init that may never reap it.
    const init = await Promise.race([
      this._sandboxInitPid,
      new Promise<undefined>(resolve =>
        setTimeout(() => resolve(undefined), 200)
      )
    ]);
    if (init !== undefined) {
      killQuietly(init);
      const closed = await Promise.race([
        this._closed.then(() => true),
        new Promise<boolean>(resolve => setTimeout(() => resolve(false), 2000))
      ]);
      if (closed) return; // _finish() still empties and removes the cgroup
    }
    if (this._cgroup) {
      // Atomic: cgroup.kill (or freezer) reaches forks in flight too.
      await this._cgroup.killAll().catch(error => this._log?.(String(error)));
    }
    killQuietly(this.pid);
  }

  private async _finish(status: {
    code: number | null;
    signal: NodeJS.Signals | null;
  }): Promise<IKernelProcess.IExit> {
    clearTimeout(this._wallClockTimer);
    if (this._cgroup) {
      if (
        !this._limit &&
        !this._isDisposed &&
        (await this._cgroup.wasOomKilled())
      ) {
        this._limit = 'memory';
      }
      if (
        !this._limit &&
        !this._isDisposed &&
        status.code !== 0 &&
        (await this._cgroup.hitPidsLimit())
      ) {
        this._limit = 'pids';
      }
      await this._cgroup.destroy().catch(error => this._log?.(String(error)));
    } else {
      await this._killAll();
    }
    // bwrap exits with 128 + signal number when the program was killed.
    if (!this._limit && status.code === 128 + SIGXCPU_NUMBER) {
      this._limit = 'cpu-time';
    }
    const exit: IKernelProcess.IExit = {
      code: status.code,
      signal: status.signal
    };
    if (this._limit) exit.limit = this._limit;
    return exit;
  }

  private readonly _cgroup: KernelCgroup | undefined;
  private readonly _cpuWeight: number;
  private readonly _log: LogSink | undefined;
  private readonly _sandboxInitPid: Promise<number | undefined>;
  private readonly _closed: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>;
  private _wallClockTimer: NodeJS.Timeout | undefined;
  private _limit: IKernelProcess.IExit['limit'];
  private _isDisposed = false;
}

export namespace SandboxedProcess {
  /** @internal */
  export interface IOptions {
    child: ChildProcess;
    cgroup?: KernelCgroup;
    /** The kernel's CPU weight (restored after a flood). */
    cpuWeight: number;
    wallClockLimitMs: number;
    log?: LogSink;
  }
}

/** Reads bwrap's `--info-fd` JSON (`{"child-pid": N}`) from `stream`. */
function readChildPid(
  stream: Readable | undefined
): Promise<number | undefined> {
  if (!stream) return Promise.resolve(undefined);
  return new Promise(resolve => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      const pid = /"child-pid"\s*:\s*(\d+)/.exec(text)?.[1];
      if (pid) resolve(Number(pid));
    });
    stream.on('close', () => resolve(undefined));
    stream.on('error', () => resolve(undefined));
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
