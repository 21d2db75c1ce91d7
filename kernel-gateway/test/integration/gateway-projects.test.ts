/**
 * A start request that names a project (KERNEL_JAXLAB_PROJECT_ID and
 * KERNEL_JAXLAB_OWNER in its env) gets a kernel whose folder holds that
 * project's files and whose designated functions are the project's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

import type { KernelMessage } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Project } from '@jaxlab/schemas';
import { openStore } from '@jaxlab/store';
import type { IStore } from '@jaxlab/store';

import { startTestGateway } from './gateway-harness.js';
import type { ITestGateway } from './gateway-harness.js';

const OWNER = 'user-a';

describe('POST /api/kernels naming a project', () => {
  let storeDir: string;
  let store: IStore;
  let gw: ITestGateway;
  let project: Project;

  beforeAll(async () => {
    storeDir = mkdtempSync('/tmp/jl-gwp-');
    store = await openStore({
      sqlite: { path: path.join(storeDir, 'jaxlab.db') }
    });
    project = await store.projects.create(OWNER, {
      name: 'Greeter',
      readme: '# Greeter\n',
      mainPy:
        'def greet(name="world"):\n    """Says hello."""\n    print("hello from the project,", name)\n',
      requirements: '',
      designatedFunctions: ['greet']
    });
    gw = await startTestGateway({ projects: store.projects });
  });

  afterAll(async () => {
    await gw?.dispose();
    await store?.dispose();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>, files?: Record<string, string>) =>
    gw.api('/api/kernels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'jaxlab', env, ...(files ? { files } : {}) })
    });

  it("should start a kernel with the project's files and designated functions", async () => {
    const res = await start({
      KERNEL_JAXLAB_PROJECT_ID: project.id,
      KERNEL_JAXLAB_OWNER: OWNER
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const kernel = gw.kernels.get(id)!;
    const iopub: KernelMessage.IIOPubMessage[] = [];
    const reply = await kernel.execute('greet(name="lab")', {
      onIOPub: msg => {
        iopub.push(msg);
      }
    });
    expect(reply.status).toBe('ok');
    const text = iopub
      .filter(m => m.header.msg_type === 'stream')
      .map(m => (m.content as { text: string }).text)
      .join('');
    expect(text).toBe('hello from the project, lab\n');
    // main() is not designated in this project.
    const refused = await kernel.execute('main()');
    expect(refused.status).toBe('error');
    expect((refused as KernelMessage.IReplyErrorContent).evalue).toContain(
      'greet'
    );
    await gw.kernels.shutdownKernel(id);
  });

  it("should answer 404 for another owner's project and 400 without an owner", async () => {
    const other = await start({
      KERNEL_JAXLAB_PROJECT_ID: project.id,
      KERNEL_JAXLAB_OWNER: 'user-b'
    });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    const ownerless = await start({ KERNEL_JAXLAB_PROJECT_ID: project.id });
    expect(ownerless.status).toBe(400);
    expect(await ownerless.json()).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('KERNEL_JAXLAB_OWNER')
    });
    expect(gw.kernels.list()).toEqual([]);
  });
});
