import { randomUUID } from 'node:crypto';
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
import type { KernelEvent } from './kernel-events.js';
import { clearPlantedFiles, writeKernelFiles } from './kernel-files.js';
import type { OutputQueue } from './output-queue.js';
import {
  checkIOPubMessage,
  sanitizeKernelMessage,
  sanitizeText
} from './output-sanitizer.js';
import { ReplayBuffer } from './replay-buffer.js';
import type { LogSink } from '../log/gateway-log.js';

/** jupyter_server's kernel model, as GET /api/kernels/{id} answers it. */
export interface IKernelModel {
  id: string;
  name: string;
  /** ISO 8601 time of the last message to or from the kernel. */
  last_activity: string;
  execution_state: string;
  /** Number of connected WebSocket clients. */
  connections: number;
}

/**
 * A client of a kernel's messages (one WebSocket connection). It receives
 * every iopub message and the replies to its own requests.
 */
export interface IKernelClient {
  readonly id: string;
  /** Delivers one message to the client; must not throw. */
  send(msg: KernelMessage.IMessage): void;
  /**
   * Takes over a backlog (the replay of output kept while no client was
   * connected) to deliver, in order and at the client's own pace, before
   * anything sent later; must not throw.
   */
  sendBacklog(backlog: OutputQueue): void;
}

interface IPending {
  client?: IKernelClient;
  onReply?: (msg: KernelMessage.IMessage) => void;
  onIOPub?: (msg: KernelMessage.IMessage) => void | Promise<void>;
}

const MAX_PENDING = 10_000;
const OUTPUT_TAIL_CHARS = 4096;
/** How long after an execute_reply without output the idle status is no longer waited for. */
const IDLE_AFTER_REPLY_QUIET_MS = 2000;
/** How long a kernel may take to answer shutdown_request before it is killed. */
const SHUTDOWN_REPLY_TIMEOUT_MS = 1000;
/** How long a kernel that answered shutdown_request may take to exit by itself. */
const SHUTDOWN_EXIT_GRACE_MS = 100;
/** How long a kernel that lost a channel may take to be seen exiting. */
const CHANNEL_LOST_GRACE_MS = 1000;

/**
 * One running kernel: its process (through the launcher), its ZeroMQ
 * channels, heartbeat, connected clients and replay buffer. Created and
 * owned by {@link KernelManager}.
 */
export class KernelSession {
  /** @internal Use KernelManager.startKernel(). */
  constructor(options: KernelSession.IOptions) {
    this._options = options;
    this.id = options.id;
    this.name = options.name;
    this.jobDir = options.jobDir;
    this.exited = new Promise(resolve => (this._resolveExited = resolve));
    this._replay = new ReplayBuffer(options.replay);
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
      connections: this._clients.size
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
    return this._clients.size;
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
    return new Promise((resolve, reject) => {
      let reply: KernelMessage.IExecuteReplyMsg['content'] | undefined;
      let isIdle = false;
      let timer: NodeJS.Timeout | undefined;
      let lastIOPubMs = Date.now();
      let isHeldBack = false;
      const waitForIdle = (): void => {
        // The idle status ends the request's output; it may trail the
        // reply by a backlog of output (the shell reply overtakes iopub).
        // Wait for it while output keeps coming, not forever.
        const quietMs = isHeldBack ? 0 : Date.now() - lastIOPubMs;
        if (quietMs >= IDLE_AFTER_REPLY_QUIET_MS) {
          isIdle = true;
          finish();
        } else {
          timer = setTimeout(waitForIdle, IDLE_AFTER_REPLY_QUIET_MS - quietMs);
        }
      };
      const finish = (): void => {
        if (reply === undefined) return;
        if (!isIdle) {
          timer ??= setTimeout(waitForIdle, IDLE_AFTER_REPLY_QUIET_MS);
          return;
        }
        clearTimeout(timer);
        this._pending.delete(msgId);
        this._executes.delete(msgId);
        resolve(reply);
      };
      const msgId = this._request(
        'shell',
        'execute_request',
        {
          code,
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true
        },
        {
          onReply: msg => {
            reply = msg.content as KernelMessage.IExecuteReplyMsg['content'];
            finish();
          },
          onIOPub: msg => {
            lastIOPubMs = Date.now();
            const ready = options.onIOPub?.(msg as KernelMessage.IIOPubMessage);
            if (ready) {
              // Output held back by the consumer is not a quiet kernel.
              isHeldBack = true;
              void ready.finally(() => {
                isHeldBack = false;
                lastIOPubMs = Date.now();
              });
            }
            if (
              msg.header.msg_type === 'status' &&
              (msg.content as { execution_state?: string }).execution_state ===
                'idle'
            ) {
              isIdle = true;
              finish();
            }
            return ready;
          }
        },
        options.metadata
      );
      this._executes.set(msgId, error => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /**
   * Adds a client: it gets every later iopub message, and first whatever
   * was kept while no client was connected. Returns the function that
   * removes it again.
   */
  attachClient(client: IKernelClient): () => void {
    this._clients.add(client);
    this._touch();
    if (this._replay.length > 0) {
      client.sendBacklog(
        this._replay.take(text => this._gatewayStream('stderr', text))
      );
    }
    return () => {
      this._clients.delete(client);
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
        session: this._session,
        parentHeader: msg.header
      });
      client.send(reply);
      void this._options.onClientShutdown?.(restart);
      return;
    }
    if (channel !== 'stdin') this._addPending(msg.header.msg_id, { client });
    void this._channels?.send(channel, msg);
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
      this._broadcastStatus('dead');
    }
    this._resolveExited(this._lastExit ?? { code: null, signal: 'SIGKILL' });
  }

  /** How full the kernel's folder is, when it has a disk quota (else undefined). */
  diskUsage(): Promise<IJobFolderUsage | undefined> {
    return jobFolderUsage(this.jobDir);
  }

  /** The last output the kernel process wrote to stdout/stderr (for errors), sanitised. */
  get outputTail(): string {
    return sanitizeText(this._outputTail);
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
    this._collectOutput(proc);
    this._channels = new KernelChannels({
      info: this._options.info,
      iopubRateLimit: this._options.iopubRateLimit,
      onMessage: msg => this._onKernelMessage(msg),
      onDropped: (channel, error) =>
        this._options.log?.(
          `kernel ${this.id}: dropped a ${channel} frame: ${error instanceof Error ? error.message : String(error)}`,
          { event: 'kernel:frame-dropped', level: 'warn' }
        ),
      onIOPubFlood: isFlooding => this._onOutputFlood(proc, isFlooding),
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
    this._isIOPubSeen = false;
    let info: KernelMessage.IMessage | undefined;
    while (!(info && this._isIOPubSeen)) {
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
        this._request('shell', 'kernel_info_request', {}, { onReply: resolve })
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
      if (info && !this._isIOPubSeen) {
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
    const intervalMs = this._options.heartbeatIntervalMs ?? 3000;
    const channels = this._channels;
    let misses = 0;
    let isBeating = false;
    this._heartbeat = setInterval(() => {
      if (isBeating || !channels || this._channels !== channels || this.isDead)
        return;
      isBeating = true;
      void channels.ping(Math.min(intervalMs, 5000)).then(isAlive => {
        isBeating = false;
        if (this._channels !== channels || this.isDead) return;
        misses = isAlive ? 0 : misses + 1;
        if (misses >= (this._options.heartbeatMisses ?? 3)) {
          this._markDead(`missed ${misses} heartbeats`);
          this._stopLimit = 'heartbeat';
          void this._process?.dispose();
        }
      });
    }, intervalMs);
    this._heartbeat.unref();
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
        this._request(
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

  /**
   * While the kernel's output comes faster than the gateway reads it, its
   * processes run at the lowest CPU priority, so other kernels (and the
   * gateway reading this flood) get the CPU first; restored once the flood
   * is over. Changes apply in order.
   */
  private _onOutputFlood(proc: IKernelProcess, isFlooding: boolean): void {
    if (!proc.setCpuPriority) return;
    const priority = isFlooding ? 'low' : 'normal';
    this._cpuPriorityChange = this._cpuPriorityChange
      .then(async () => {
        if (proc !== this._process) return;
        await proc.setCpuPriority!(priority);
        this._options.log?.(
          isFlooding
            ? `kernel ${this.id} floods its output: it is read at the gateway's rate limit and runs at the lowest CPU priority until the flood ends`
            : `kernel ${this.id}'s output flood ended: its CPU priority is back to normal`,
          { event: isFlooding ? 'kernel:flood-started' : 'kernel:flood-ended' }
        );
      })
      .catch(error =>
        this._options.log?.(
          `kernel ${this.id}: could not set its CPU priority to ${priority}: ${error instanceof Error ? error.message : String(error)}`,
          { event: 'kernel:cpu-priority-failed', level: 'warn' }
        )
      );
  }

  private _markDead(reason: string): void {
    if (this._executionState === 'dead') return;
    this._executionState = 'dead';
    this._options.log?.(`kernel ${this.id} died: ${reason}`, {
      event: 'kernel:dead',
      level: 'warn'
    });
    this._broadcastStatus('dead');
    this._failPending('died');
    this._options.onEvent?.({ type: 'kernel:dead', kernelId: this.id, reason });
  }

  private _failPending(why: string): void {
    const error = this._deadError(why);
    for (const fail of this._executes.values()) fail(error);
    this._executes.clear();
    this._pending.clear();
  }

  private _deadError(why = 'is dead'): JaxLabError {
    return new JaxLabError('KERNEL_DEAD', `Kernel ${this.id} ${why}`, {
      hint: 'Restart the kernel, or start a new one.'
    });
  }

  private _request(
    channel: RequestChannel,
    msgType: string,
    content: Record<string, unknown>,
    pending: IPending,
    metadata?: Record<string, unknown>
  ): string {
    const msg = createMessage({
      channel,
      msgType,
      content,
      session: this._session,
      metadata
    });
    this._addPending(msg.header.msg_id, pending);
    this._internalIds.add(msg.header.msg_id);
    void this._channels?.send(channel, msg);
    return msg.header.msg_id;
  }

  private _addPending(msgId: string, pending: IPending): void {
    this._pending.set(msgId, pending);
    if (this._pending.size > MAX_PENDING) {
      const oldest = this._pending.keys().next().value as string;
      this._pending.delete(oldest);
      this._internalIds.delete(oldest);
    }
  }

  private _onKernelMessage(raw: KernelMessage.IMessage): void | Promise<void> {
    this._touch();
    // Every string a kernel sends, on every channel, before anything
    // looks at it, stores it or passes it on.
    const msg = sanitizeKernelMessage(raw);
    const parentId = (msg.parent_header as Partial<KernelMessage.IHeader>)
      ?.msg_id;
    const pending = parentId ? this._pending.get(parentId) : undefined;
    if (msg.channel === 'iopub') {
      this._isIOPubSeen = true;
      return this._onIOPub(msg, pending, parentId);
    }
    if (msg.channel === 'stdin') {
      pending?.client?.send(msg);
      return;
    }
    // shell or control reply: exactly one per request.
    if (!pending) return;
    if (pending.client) {
      this._pending.delete(parentId!);
      pending.client.send(msg);
    } else if (pending.onReply) {
      if (!pending.onIOPub) {
        this._pending.delete(parentId!);
        this._internalIds.delete(parentId!);
      }
      pending.onReply(msg);
    }
  }

  private _onIOPub(
    sanitized: KernelMessage.IMessage,
    pending: IPending | undefined,
    parentId: string | undefined
  ): void | Promise<void> {
    if ((sanitized.header.msg_type as string) === 'iopub_welcome') return;
    const { msg, problem } = checkIOPubMessage(sanitized);
    if (problem) {
      this._options.log?.(`kernel ${this.id}: ${problem}`, {
        event: 'kernel:output-refused',
        level: 'warn'
      });
    }
    const out =
      msg ??
      (problem?.startsWith('invalid metrics')
        ? this._gatewayStream(
            'stderr',
            `[jaxlab-gateway] ${problem}\n`,
            sanitized.header
          )
        : undefined);
    if (!out) return;
    if (out.header.msg_type === 'status') {
      this._executionState = String(
        (out.content as { execution_state: string }).execution_state
      );
    }
    const ready = pending?.onIOPub?.(out);
    if (this._clients.size > 0) {
      for (const client of this._clients) client.send(out);
    } else if (!(parentId && this._internalIds.has(parentId))) {
      this._replay.push(out);
    }
    return ready;
  }

  private _gatewayStream(
    name: 'stdout' | 'stderr',
    text: string,
    parent?: KernelMessage.IHeader
  ): KernelMessage.IMessage {
    return createMessage({
      channel: 'iopub',
      msgType: 'stream',
      content: { name, text },
      session: this._session,
      parentHeader: parent ?? {}
    });
  }

  private _broadcastStatus(state: string): void {
    const msg = createMessage({
      channel: 'iopub',
      msgType: 'status',
      content: { execution_state: state },
      session: this._session
    });
    for (const client of this._clients) client.send(msg);
  }

  private _collectOutput(proc: IKernelProcess): void {
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      stream.on('data', (chunk: Buffer) => {
        this._outputTail = (this._outputTail + chunk.toString('utf8')).slice(
          -OUTPUT_TAIL_CHARS
        );
      });
      stream.on('error', () => undefined);
    }
  }

  private _touch(): void {
    this._lastActivityMs = Date.now();
  }

  private readonly _options: KernelSession.IOptions;
  private readonly _session = randomUUID();
  private readonly _clients = new Set<IKernelClient>();
  private readonly _pending = new Map<string, IPending>();
  private readonly _internalIds = new Set<string>();
  private readonly _executes = new Map<string, (error: Error) => void>();
  private readonly _replay: ReplayBuffer;
  /** Paths the gateway wrote into the folder (main.py, models.py, utils/data.py). */
  private readonly _filesWritten = new Set<string>();
  private _resolveExited!: (exit: IKernelProcess.IExit) => void;
  private _process: IKernelProcess | undefined;
  private _channels: KernelChannels | undefined;
  private _cpuPriorityChange: Promise<void> = Promise.resolve();
  private _heartbeat: NodeJS.Timeout | undefined;
  private _executionState = 'starting';
  private _lastActivityMs = Date.now();
  private _lastExit: IKernelProcess.IExit | undefined;
  private _kernelInfo: Record<string, unknown> | undefined;
  private _isIOPubSeen = false;
  private _isShuttingDown = false;
  /** Why the gateway itself stopped the kernel, for its exit. */
  private _stopLimit: IKernelProcess.IExit['limit'];
  private _outputTail = '';
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
