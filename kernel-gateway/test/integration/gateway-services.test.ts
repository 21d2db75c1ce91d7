import type { Kernel, KernelMessage } from '@jupyterlab/services';
import {
  KernelManager as ServicesKernelManager,
  KernelSpecManager,
  ServerConnection
} from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { METRICS_MIME_TYPE } from '@jaxlab/schemas';

import { JAX_PROGRAM, startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';

const opened: WebSocket[] = [];

/** ws, recording each socket so the test can see the negotiated protocol. */
class RecordingWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols);
    opened.push(this);
  }
}

describe('@jupyterlab/services against the gateway', () => {
  let gw: ITestGateway;
  let settings: ServerConnection.ISettings;
  let manager: ServicesKernelManager;

  beforeAll(async () => {
    gw = await startTestGateway();
    settings = ServerConnection.makeSettings({
      baseUrl: `${gw.baseUrl}/`,
      wsUrl: `ws://127.0.0.1:${gw.port}/`,
      token: gw.token,
      appendToken: true,
      WebSocket: RecordingWebSocket as unknown as typeof globalThis.WebSocket,
      fetch: globalThis.fetch.bind(globalThis)
    });
    manager = new ServicesKernelManager({ serverSettings: settings });
    await manager.ready;
  });

  afterAll(async () => {
    manager?.dispose();
    for (const ws of opened) ws.terminate();
    await gw?.dispose();
  });

  it('KernelSpecManager should list the jaxlab spec', async () => {
    const specs = new KernelSpecManager({ serverSettings: settings });
    await specs.ready;
    expect(specs.specs?.default).toBe('jaxlab');
    const spec = specs.specs?.kernelspecs.jaxlab;
    expect(spec?.display_name).toBe('JAX (restricted)');
    expect(
      (spec?.metadata as { jaxlab: { sandboxed: boolean } }).jaxlab.sandboxed
    ).toBe(true);
    specs.dispose();
  });

  it('should start, execute main() with streamed output and metrics, interrupt, restart and shut down', async () => {
    const kernel: Kernel.IKernelConnection = await manager.startNew({
      name: 'jaxlab'
    });
    const put = await gw.api(`/api/kernels/${kernel.id}/files/main.py`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: JAX_PROGRAM
    });
    expect(put.status).toBe(204);

    const iopub: KernelMessage.IIOPubMessage[] = [];
    const future = kernel.requestExecute({ code: 'main(n=5)' });
    future.onIOPub = msg => void iopub.push(msg);
    const reply = await future.done;
    expect(reply.content.status).toBe('ok');
    expect(
      opened.some(ws => ws.protocol === 'v1.kernel.websocket.jupyter.org')
    ).toBe(true);
    const text = iopub
      .filter(m => m.header.msg_type === 'stream')
      .map(m => (m.content as KernelMessage.IStreamMsg['content']).text)
      .join('');
    expect(text).toContain('line 0\nline 1\nline 2\nline 3\nline 4\n');
    expect(text).toContain('\x1b[32mgreen\x1b[0m');
    expect(text).not.toContain('\x1b]0;');
    const metrics = iopub.find(
      m =>
        m.header.msg_type === 'display_data' &&
        METRICS_MIME_TYPE in
          (m.content as KernelMessage.IDisplayDataMsg['content']).data
    );
    expect(metrics).toBeDefined();

    const long = kernel.requestExecute({ code: 'train_step(seconds=30)' });
    await new Promise(resolve => setTimeout(resolve, 1500));
    await kernel.interrupt();
    const interrupted = await long.done.catch(
      error => error as KernelMessage.IExecuteReplyMsg
    );
    expect(interrupted.content.status).toBe('error');
    expect(
      (interrupted.content as KernelMessage.IReplyErrorContent).ename
    ).toBe('KeyboardInterrupt');

    await kernel.restart();
    const afterRestart = await kernel.requestExecute({ code: 'main(n=1)' })
      .done;
    expect(afterRestart.content.status).toBe('ok');

    await kernel.shutdown();
    const list = await (await gw.api('/api/kernels')).json();
    expect(list).toEqual([]);
  });
});
