// Over 400 lines: one class whose methods share the kernel's process,
// channels and state; its message routing (kernel-message-router.ts),
// heartbeat, flood priority and output tail live in their own modules.

import { promises as fs } from 'node:fs';

import type { KernelMessage } from '@jupyterlab/services';

import { JaxLabError } from '@jaxlab/schemas';

import { jobFolderUsage } from '../sandbox/job-folder.js';
import type { IJobFolderUsage } from '../sandbox/job-folder.js';
import type {
  IKernelLauncher,
  IKernelProcess
} from '../sandbox/kernel-launcher.js';
import type { IConnectionInfo } from '../wire/connection-info.js';
import { ipcSocketPaths } from '../wire/connection-info.js';
import type { ByteRateLimiter } from '../wire/byte-rate-limiter.js';
import type { RequestChannel } from '../wire/kernel-channels.js';
import { KernelChannels } from '../wire/kernel-channels.js';
import { createMessage } from '../wire/message-factory.js';
import { MAX_JSON_PART_BYTES } from '../wire/wire-codec.js';
import type { IKernelClient, IKernelModel } from './kernel-client.js';
import type { KernelEvent } from './kernel-events.js';
import { clearPlantedFiles, writeKernelFiles } from './kernel-files.js';
import { KernelMessageRouter } from './kernel-message-router.js';
import { startHeartbeat } from './kernel-heartbeat.js';
import { FloodPriority } from './flood-priority.js';
import { OutputTail } from './output-tail.js';
import type { ReplayBuffer } from './replay-buffer.js';
import type { LogSink } from '../log/gateway-log.js';

/** How long a kernel may take to answer shutdown_request before it is killed. */
const SHUTDOWN_REPLY_TIMEOUT_MS = 1000;
/** How long a kernel that answered shutdown_request may take to exit by itself. */
const SHUTDOWN_EXIT_GRACE_MS = 100;
/** How long a kernel that lost a channel may take to be seen exiting. */
const CHANNEL_LOST_GRACE_MS = 1000;

/**
 * One running kernel: its process (through the launcher), its ZeroMQ
 * channels and heartbeat; its messages, connected clients and replay
 * buffer through a {@link KernelMessageRouter}. Created and owned by
 * `KernelManager`.
 */
export class KernelSession {
  /** @internal Use KernelManager.startKernel(). */
  constructor(options: KernelSession.IOptions) {
    this._options = options;
    this.id = options.id;
    this.name = options.name;
    this.jobDir = options.jobDir;
    this.exited = new Promise(resolve => (this._resolveExited = resolve));
    this._router = new KernelMessageRouter({
      kernelId: options.id,
      send: (channel, msg) => void this._channels?.send(channel, msg),
      onStatus: state => (this._executionState = state),
      replay: options.replay,
      log: options.log
    });
    this._flood = new FloodPriority(options.id, options.log);
  }

  /** Kernel id (a UUID). */
  readonly id: string;
  /** Kernel spec name. */
  readonly name: string;
  /** The kernel's folder on the host (main.py, requirements.txt, sockets). */
  readonly jobDir: string;
  /**
   * Resolves once the kernel is gone for good (died, or shut down), with
   * how its process ended (and the sandbox's limit reason, if any).
   */
  readonly exited: Promise<IKernelProcess.IExit>;

  /**
   * Writes files into the kernel's folder ({@link writeKernelFiles}) and
   * remembers their paths, so that a restart can clear what the kernel
   * planted in their place.
   */
  async writeFiles(files: Record<string, string>): Promise<void> {
    await writeKernelFiles(this.jobDir, files);
    for (const path of Object.keys(files)) this._filesWritten.add(path);
  }

  /** jupyter_server's model of this kernel. */
  get model(): IKernelModel {
    return {
      id: this.id,
      name: this.name,
      last_activity: new Date(this._lastActivityMs).toISOString(),
      execution_state: this._executionState,
      connections: this._router.clientCount
    };
  }

  /** The kernel's execution state, from its own status messages and its exit. */
  get executionState(): string {
    return this._executionState;
  }

  /** Milliseconds since the epoch of the last message in either direction. */
  get lastActivityMs(): number {
    return this._lastActivityMs;
  }

  /** Number of connected clients. */
  get connections(): number {
    return this._router.clientCount;
  }

  /** Whether the kernel died or was shut down. */
  get isDead(): boolean {
    return this._executionState === 'dead';
  }

  /** The kernel's kernel_info_reply content (after start). */
  get kernelInfo(): Record<string, unknown> | undefined {
    return this._kernelInfo;
  }

  /**
   * Launches the kernel and resolves once it answered kernel_info_request
   * and its iopub channel delivers.
   *
   * @throws JaxLabError `KERNEL_START_FAILED` (with the kernel's last
   *   output in the message), `SANDBOX_UNAVAILABLE`.
   */
  async start(): Promise<void> {
    await this._launch();
    await this._waitReady();
    this._startHeartbeat();
  }

  /**
   * Runs `code` on the shell channel. `onIOPub` gets every (sanitised)
   * iopub message whose parent is this request; while a promise it returns
   * is pending, no further iopub message is read from the kernel
   * (back-pressure that reaches the kernel's output capture). Resolves with
   * the execute_reply content once the reply and the idle status arrived;
   * an error reply is data, not an exception.
   *
   * @throws JaxLabError `KERNEL_DEAD` when the kernel dies or is shut down first.
   */
  execute(
    code: string,
    options: {
      onIOPub?: (msg: KernelMessage.IIOPubMessage) => void | Promise<void>;
      /** The request's metadata (a job kernel reads `metadata.jaxlab`). */
      metadata?: Record<string, unknown>;
    } = {}
  ): Promise<KernelMessage.IExecuteReplyMsg['content']> {
    if (this.isDead || !this._channels) {
      return Promise.reject(this._deadError());
    }
    return this._router.execute(code, options);
  }

  /**
   * Adds a client: it gets every later iopub message, and first whatever
   * was kept while no client was connected. Returns the function that
   * removes it again.
   */
  attachClient(client: IKernelClient): () => void {
    const detach = this._router.addClient(client);
    this._touch();
    return () => {
      detach();
      this._touch();
    };
  }

  /**
   * Forwards a client's (already validated) request to the kernel; its
   * replies go back to that client only. A `shutdown_request` is answered
   * by the gateway, which then restarts or shuts the kernel down as asked.
   */
  sendFromClient(client: IKernelClient, msg: KernelMessage.IMessage): void {
    this._touch();
    const channel = msg.channel as RequestChannel;
    if (channel === 'control' && msg.header.msg_type === 'shutdown_request') {
      const restart = Boolean((msg.content as { restart?: boolean }).restart);
      const reply = createMessage({
        channel: 'control',
        msgType: 'shutdown_reply',
        content: { status: 'ok', restart },
        session: this._router.session,
        parentHeader: msg.header
      });
      client.send(reply);
      void this._options.onClientShutdown?.(restart);
      return;
    }
    this._router.forward(client, msg);
  }

  /** Peak memory of the kernel's sandbox so far (its cgroup's), if measured. */
  async peakMemoryBytes(): Promise<number | undefined> {
    return this._process?.peakMemoryBytes?.();
  }

  /** Interrupts the running call (SIGINT to the kernel, interrupt_mode signal). */
  interrupt(): void {
    this._touch();
    this._process?.signal('SIGINT');
  }

  /**
   * Restarts the kernel in place (same id, folder and connection file):
   * kills and reaps the old process, launches a new one and waits until it
   * is ready. Pending executes reject with `KERNEL_DEAD`.
   *
   * @throws JaxLabError `KERNEL_START_FAILED`.
   */
  async restart(): Promise<void> {
    // Like jupyter_server, an explicit restart broadcasts no 'restarting'
    // status (clients read that as an automatic restart after a crash).
    await this._stopProcess(false);
    this._failPending('restarted');
    // Links or special files the old process planted in place of main.py
    // or a project file would block every later write; nothing runs here now.
    const removed = await clearPlantedFiles(this.jobDir, this._filesWritten);
    if (removed.length > 0) {
      this._options.log?.(
        `kernel ${this.id}: removed ${removed.join(', ')} planted by the kernel (not plain files)`,
        { event: 'kernel:planted-files-removed', level: 'warn' }
      );
    }
    this._executionState = 'starting';
    await this._launch();
    await this._waitReady();
    this._startHeartbeat();
  }

  /**
   * Shuts the kernel down: asks it politely on control (unless `now`), then
   * kills and reaps the whole sandbox. Idempotent.
   */
  async shutdown(options: { now?: boolean } = {}): Promise<void> {
    this._isShuttingDown = true;
    await this._stopProcess(!options.now);
    this._failPending('shut down');
    if (this._executionState !== 'dead') {
      this._executionState = 'dead';
      this._router.broadcastStatus('dead');
    }
    this._resolveExited(this._lastExit ?? { code: null, signal: 'SIGKILL' });
  }

  /** How full the kernel's folder is, when it has a disk quota (else undefined). */
  diskUsage(): Promise<IJobFolderUsage | undefined> {
    return jobFolderUsage(this.jobDir);
  }

  /** The last output the kernel process wrote to stdout/stderr (for errors), sanitised. */
  get outputTail(): string {
    return this._outputTail.text;
  }

  private async _launch(): Promise<void> {
    this._executionState = 'starting';
    for (const socket of ipcSocketPaths(this._options.info)) {
      await fs.rm(socket, { force: true });
    }
    const proc = await this._options.launcher.launch(
      this._options.launchOptions
    );
    this._process = proc;
    this._outputTail.collect(proc);
    this._channels = new KernelChannels({
      info: this._options.info,
      iopubRateLimit: this._options.iopubRateLimit,
      onMessage: msg => this._onKernelMessage(msg),
      onDropped: (channel, error) =>
        this._options.log?.(
          `kernel ${this.id}: dropped a ${channel} frame: ${error instanceof Error ? error.message : String(error)}`,
          { event: 'kernel:frame-dropped', level: 'warn' }
        ),
      onIOPubFlood: isFlooding =>
        this._flood.change(proc, isFlooding, () => proc === this._process),
      onDisconnected: channel => this._onChannelLost(proc, channel)
    });
    this._channels.connect();
    void proc.exited.then(exit => this._onProcessExit(proc, exit));
  }

  private async _waitReady(): Promise<void> {
    const proc = this._process!;
    const deadline = Date.now() + this._options.startTimeoutMs;
    let exit: IKernelProcess.IExit | undefined;
    void proc.exited.then(e => (exit = e));
    this._router.resetIOPubSeen();
    let info: KernelMessage.IMessage | undefined;
    while (!(info && this._router.isIOPubSeen)) {
      if (exit || Date.now() >= deadline || this._process !== proc) {
        const why = exit
          ? `exited (code ${exit.code}, signal ${exit.signal}${exit.limit ? `, ${exit.limit} limit` : ''})`
          : `did not answer kernel_info_request within ${this._options.startTimeoutMs} ms`;
        await this._stopProcess(true);
        const tail = this.outputTail.trim();
        throw new JaxLabError(
          'KERNEL_START_FAILED',
          `Kernel ${this.id} ${why}${tail ? `. Its last output:\n${tail}` : ''}`,
          {
            hint: 'Check that the harness is installed in the virtual environment and the sandbox works (see the gateway log).'
          }
        );
      }
      const replied = new Promise<KernelMessage.IMessage>(resolve =>
        this._router.request(
          'shell',
          'kernel_info_request',
          {},
          { onReply: resolve }
        )
      );
      const wait = Math.min(500, Math.max(1, deadline - Date.now()));
      info =
        (await Promise.race([
          replied,
          proc.exited.then(() => undefined),
          new Promise<undefined>(resolve =>
            setTimeout(() => resolve(undefined), wait)
          )
        ])) ?? info;
      if (info && !this._router.isIOPubSeen) {
        // Slow joiner: let the subscription settle, then ask again.
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
    this._kernelInfo = info.content as Record<string, unknown>;
    if (this._executionState === 'starting') this._executionState = 'idle';
    this._touch();
  }

  private _startHeartbeat(): void {
    this._stopHeartbeat();
    const channels = this._channels;
    if (!channels) return;
    this._heartbeat = startHeartbeat(channels, {
      intervalMs: this._options.heartbeatIntervalMs ?? 3000,
      maxMisses: this._options.heartbeatMisses ?? 3,
      isCurrent: () => this._channels === channels && !this.isDead,
      onLost: misses => {
        this._markDead(`missed ${misses} heartbeats`);
        this._stopLimit = 'heartbeat';
        void this._process?.dispose();
      }
    });
  }

  private _stopHeartbeat(): void {
    if (this._heartbeat) clearInterval(this._heartbeat);
    this._heartbeat = undefined;
  }

  private async _stopProcess(isPolite: boolean): Promise<void> {
    this._stopHeartbeat();
    const proc = this._process;
    const channels = this._channels;
    if (proc && isPolite && channels && !this.isDead) {
      // The reply says the kernel has run its shutdown; what is left is
      // process teardown, which may take a second and need not be waited for.
      const replied = new Promise<void>(resolve =>
        this._router.request(
          'control',
          'shutdown_request',
          { restart: false },
          { onReply: () => resolve() }
        )
      );
      await Promise.race([
        proc.exited,
        replied.then(() => delay(SHUTDOWN_EXIT_GRACE_MS)),
        delay(SHUTDOWN_REPLY_TIMEOUT_MS)
      ]);
    }
    this._process = undefined;
    this._channels = undefined;
    channels?.dispose();
    if (proc) {
      await proc.dispose();
      this._lastExit = await proc.exited;
    }
  }

  private _onProcessExit(
    proc: IKernelProcess,
    exit: IKernelProcess.IExit
  ): void {
    if (!exit.limit && this._stopLimit)
      exit = { ...exit, limit: this._stopLimit };
    this._lastExit = exit;
    if (proc !== this._process || this._isShuttingDown) return;
    const limit = exit.limit ? ` (${exit.limit} limit reached)` : '';
    this._markDead(
      `process exited with code ${exit.code}, signal ${exit.signal}${limit}`
    );
    this._stopHeartbeat();
    this._channels?.dispose();
    this._channels = undefined;
    this._process = undefined;
    void proc.dispose();
    this._resolveExited(exit);
  }

  /**
   * A channel that went away while its kernel still runs will not come
   * back (ZeroMQ does not reconnect after a protocol error), so the kernel
   * could no longer be heard: stop it and say why. A kernel that is exiting
   * loses its channels too; give its exit a moment to be seen first.
   */
  private _onChannelLost(proc: IKernelProcess, channel: string): void {
    setTimeout(() => {
      if (proc !== this._process || this._isShuttingDown || this.isDead) return;
      this._markDead(
        `lost its ${channel} channel while running: it sent a message frame over ` +
          `${MAX_JSON_PART_BYTES} bytes or broke the protocol; the gateway stopped it`
      );
      this._stopLimit = 'message-size';
      void proc.dispose();
    }, CHANNEL_LOST_GRACE_MS).unref();
  }

  private _markDead(reason: string): void {
    if (this._executionState === 'dead') return;
    this._executionState = 'dead';
    this._options.log?.(`kernel ${this.id} died: ${reason}`, {
      event: 'kernel:dead',
      level: 'warn'
    });
    this._router.broadcastStatus('dead');
    this._failPending('died');
    this._options.onEvent?.({ type: 'kernel:dead', kernelId: this.id, reason });
  }

  private _failPending(why: string): void {
    this._router.failPending(this._deadError(why));
  }

  private _deadError(why = 'is dead'): JaxLabError {
    return new JaxLabError('KERNEL_DEAD', `Kernel ${this.id} ${why}`, {
      hint: 'Restart the kernel, or start a new one.'
    });
  }

  private _onKernelMessage(raw: KernelMessage.IMessage): void | Promise<void> {
    this._touch();
    return this._router.route(raw);
  }

  private _touch(): void {
    this._lastActivityMs = Date.now();
  }

  private readonly _options: KernelSession.IOptions;
  private readonly _router: KernelMessageRouter;
  private readonly _flood: FloodPriority;
  /** Paths the gateway wrote into the folder (main.py, models.py, utils/data.py). */
  private readonly _filesWritten = new Set<string>();
  private _resolveExited!: (exit: IKernelProcess.IExit) => void;
  private _process: IKernelProcess | undefined;
  private _channels: KernelChannels | undefined;
  private _heartbeat: NodeJS.Timeout | undefined;
  private _executionState = 'starting';
  private _lastActivityMs = Date.now();
  private _lastExit: IKernelProcess.IExit | undefined;
  private _kernelInfo: Record<string, unknown> | undefined;
  private _isShuttingDown = false;
  /** Why the gateway itself stopped the kernel, for its exit. */
  private _stopLimit: IKernelProcess.IExit['limit'];
  private readonly _outputTail = new OutputTail();
}

/** Statics of {@link KernelSession}. */
export namespace KernelSession {
  /** @internal Options of a {@link KernelSession}. */
  export interface IOptions {
    id: string;
    name: string;
    jobDir: string;
    info: IConnectionInfo;
    launcher: IKernelLauncher;
    launchOptions: IKernelLauncher.ILaunchOptions;
    startTimeoutMs: number;
    heartbeatIntervalMs?: number;
    heartbeatMisses?: number;
    replay?: Partial<ReplayBuffer.IOptions>;
    iopubRateLimit?: ByteRateLimiter.IOptions;
    log?: LogSink;
    onEvent?: (event: KernelEvent) => void;
    /** A client asked for shutdown (or restart) on control. */
    onClientShutdown?: (restart: boolean) => Promise<void>;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
