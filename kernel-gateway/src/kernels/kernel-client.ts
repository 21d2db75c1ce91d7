import type { KernelMessage } from '@jupyterlab/services';

import type { OutputQueue } from './output-queue.js';

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
