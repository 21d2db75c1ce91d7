/**
 * A project of several files in a kernel's folder: started with the
 * project's modules and packages, and changed file by file (written and
 * removed) while the kernel runs, as the lab does for a notebook bound to
 * a project.
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

const MAIN_PY = `from models import describe
from utils.data import BATCH


def main():
    print(describe(), BATCH)
`;

/** What `code` printed on stdout in the kernel. */
async function printed(gw: ITestGateway, kernelId: string, code: string) {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const reply = await gw.kernels.get(kernelId)!.execute(code, {
    onIOPub: msg => {
      iopub.push(msg);
    }
  });
  const text = iopub
    .filter(m => m.header.msg_type === 'stream')
    .map(m => (m.content as { text: string }).text)
    .join('');
  const error = iopub.find(m => m.header.msg_type === 'error');
  return {
    status: reply.status,
    text,
    ename: (error?.content as { ename?: string } | undefined)?.ename
  };
}

describe('a kernel with a project of several files', () => {
  let storeDir: string;
  let store: IStore;
  let gw: ITestGateway;
  let project: Project;
  let kernelId: string;

  beforeAll(async () => {
    storeDir = mkdtempSync('/tmp/jl-gwf-');
    store = await openStore({
      sqlite: { path: path.join(storeDir, 'jaxlab.db') }
    });
    project = await store.projects.create(OWNER, {
      name: 'Several files',
      mainPy: MAIN_PY,
      files: [
        { path: 'models.py', content: 'def describe():\n    return "mlp"\n' },
        { path: 'utils/__init__.py', content: '' },
        { path: 'utils/data.py', content: 'BATCH = 32\n' }
      ]
    });
    gw = await startTestGateway({ projects: store.projects });
    const res = await gw.api('/api/kernels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'jaxlab',
        env: {
          KERNEL_JAXLAB_PROJECT_ID: project.id,
          KERNEL_JAXLAB_OWNER: OWNER
        }
      })
    });
    expect(res.status).toBe(201);
    kernelId = ((await res.json()) as { id: string }).id;
  });

  afterAll(async () => {
    await gw?.dispose();
    await store?.dispose();
    rmSync(storeDir, { recursive: true, force: true });
  });

  const putFiles = (body: unknown): Promise<Response> =>
    gw.api(`/api/kernels/${kernelId}/files`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });

  it("should start with the project's modules and packages, importable from main.py", async () => {
    expect(await printed(gw, kernelId, 'main()')).toEqual({
      status: 'ok',
      text: 'mlp 32\n',
      ename: undefined
    });
  });

  it('should see files written and removed through the gateway at the next call', async () => {
    const res = await putFiles({
      files: {
        'main.py': MAIN_PY.replace('from models', 'from nets'),
        'nets.py': 'def describe():\n    return "cnn"\n',
        'utils/data.py': 'BATCH = 64\n'
      },
      remove: ['models.py']
    });
    expect(res.status).toBe(204);
    expect((await printed(gw, kernelId, 'main()')).text).toBe('cnn 64\n');
    // models.py is gone: importing it fails like a missing module.
    await putFiles({ files: { 'main.py': MAIN_PY } });
    expect((await printed(gw, kernelId, 'main()')).status).toBe('error');
  });

  it('should write one nested file by its path', async () => {
    await putFiles({
      files: { 'main.py': MAIN_PY.replace('from models', 'from nets') }
    });
    const res = await gw.api(`/api/kernels/${kernelId}/files/utils/data.py`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'BATCH = 128\n'
    });
    expect(res.status).toBe(204);
    expect((await printed(gw, kernelId, 'main()')).text).toBe('cnn 128\n');
  });

  it('should refuse a path outside the project and write nothing of the request', async () => {
    for (const bad of ['../escape.py', '.pth.txt', 'sitecustomize.py']) {
      const res = await putFiles({
        files: { 'utils/data.py': 'BATCH = 1\n', [bad]: 'x' }
      });
      expect(res.status, bad).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'UNSAFE_PATH',
        details: { path: bad }
      });
    }
    expect((await printed(gw, kernelId, 'main()')).text).toBe('cnn 128\n');
  });
});

describe('a project folder the kernel replaced with a link', () => {
  let gw: ITestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });

  afterAll(async () => {
    await gw?.dispose();
  });

  it('should refuse to write through it, and write again after a restart', async () => {
    const planter = await gw.kernels.startKernel({
      files: {
        'main.py': `import os
import shutil


def main():
    shutil.rmtree("utils")
    os.symlink("/etc", "utils")
`,
        'utils/__init__.py': '',
        'utils/data.py': 'BATCH = 1\n'
      }
    });
    expect((await printed(gw, planter.id, 'main()')).status).toBe('ok');
    const put = (): Promise<Response> =>
      gw.api(`/api/kernels/${planter.id}/files`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          files: {
            'main.py':
              'from utils.data import BATCH\n\n\ndef main():\n    print(BATCH)\n',
            'utils/__init__.py': '',
            'utils/data.py': 'BATCH = 2\n'
          }
        })
      });
    const refused = await put();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      code: 'UNSAFE_PATH',
      hint: expect.stringMatching(/Restart the kernel .* which removes it/)
    });
    // The advice works for a project's folder too.
    const restarted = await gw.api(`/api/kernels/${planter.id}/restart`, {
      method: 'POST'
    });
    expect(restarted.status).toBe(200);
    expect((await put()).status).toBe(204);
    expect((await printed(gw, planter.id, 'main()')).text).toBe('2\n');
  });
});
