import { randomBytes } from 'node:crypto';
import path from 'node:path';

/**
 * A Jupyter connection file (`kernel-<id>.json`), as the kernel reads it.
 * With transport `ipc`, each channel's address is `ipc://<ip>-<port>`.
 *
 * @see https://jupyter-client.readthedocs.io/en/stable/kernels.html#connection-files
 */
export interface IConnectionInfo {
  transport: 'ipc' | 'tcp';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: 'hmac-sha256';
  kernel_name: string;
}

/** The five ZeroMQ channels of a kernel. */
export type WireChannel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/**
 * Connection info for a kernel whose sockets live inside `kernelDir`:
 * transport `ipc`, sockets `<kernelDir>/s-1` … `s-5` (short, because ipc
 * paths are limited to 107 bytes), and a fresh random HMAC-SHA256 key.
 *
 * @example
 * ```ts
 * const info = createConnectionInfo('/tmp/k/0f3…');
 * channelAddress(info, 'shell'); // 'ipc:///tmp/k/0f3…/s-1'
 * ```
 */
export function createConnectionInfo(
  kernelDir: string,
  kernelName = 'jaxlab'
): IConnectionInfo {
  return {
    transport: 'ipc',
    ip: path.join(kernelDir, 's'),
    shell_port: 1,
    iopub_port: 2,
    stdin_port: 3,
    control_port: 4,
    hb_port: 5,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: kernelName
  };
}

/** The ZeroMQ address of one channel of `info`. */
export function channelAddress(
  info: IConnectionInfo,
  channel: WireChannel
): string {
  const port = info[`${channel}_port`];
  return info.transport === 'ipc'
    ? `ipc://${info.ip}-${port}`
    : `tcp://${info.ip}:${port}`;
}

/** Filesystem paths of the ipc sockets of `info` (empty for tcp). */
export function ipcSocketPaths(info: IConnectionInfo): string[] {
  if (info.transport !== 'ipc') return [];
  return (['shell', 'iopub', 'stdin', 'control', 'hb'] as const).map(
    channel => `${info.ip}-${info[`${channel}_port`]}`
  );
}
