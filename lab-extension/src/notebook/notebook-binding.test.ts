import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Project } from '@jaxlab/schemas/contract';
import { ServerConnection } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../api/api-client.js';
import { KernelFileSync } from './kernel-file-sync.js';
import type { INotebookContext } from './notebook-binding.js';
import { NotebookBinding } from './notebook-binding.js';

/** What JupyterLab's server (its kernel files extension) was sent. */
const puts: Array<{ url: string; body: unknown }> = [];
let answer: (res: ServerResponse) => void;
let server: Server;
let settings: ServerConnection.ISettings;

beforeEach(async () => {
  puts.length = 0;
  answer = res => res.writeHead(204).end();
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      puts.push({ url: req.url ?? '', body: JSON.parse(text) });
      answer(res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  settings = ServerConnection.makeSettings({
    baseUrl: `http://127.0.0.1:${port}/user/a/`,
    wsUrl: `ws://127.0.0.1:${port}/user/a/`,
    token: 't',
    init: { credentials: 'omit' }
  });
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

function project(mainPy: string, version = 1): Project {
  return {
    id: 'p1',
    name: `Project v${version}`,
    mainPy,
    requirements: '',
    files: [{ path: 'models.py', content: `VERSION = ${version}\n` }]
  } as Project;
}

/** A notebook's context as JupyterLab's would behave, with a kernel. */
function notebook(metadata: Record<string, unknown> = {}) {
  const store = new Map<string, unknown>(Object.entries(metadata));
  const metadataChanged = new Signal<object, unknown>({});
  const kernelChanged = new Signal<object, { newValue: { id: string } | null }>(
    {}
  );
  const statusChanged = new Signal<object, string>({});
  const session = { kernel: null as { id: string } | null };
  const context: INotebookContext = {
    ready: Promise.resolve(),
    model: {
      getMetadata: (key: string) => store.get(key),
      setMetadata: (key: string, value: unknown) => {
        store.set(key, value);
        metadataChanged.emit(undefined);
      },
      metadataChanged
    },
    sessionContext: { session, kernelChanged, statusChanged }
  };
  const startKernel = (id: string) => {
    session.kernel = { id };
    kernelChanged.emit({ newValue: { id } });
  };
  return { context, store, startKernel, statusChanged };
}

const settled = () => new Promise(resolve => setTimeout(resolve, 50));

describe('NotebookBinding', () => {
  it("should put a bound project's files in a new kernel, then only what a save changed, and everything again after a restart", async () => {
    let stored = project('def main():\n    return 1\n');
    const client = { getProject: async () => stored } as unknown as ApiClient;
    const nb = notebook({ jaxlab: { projectId: 'p1', jobId: 'j9' } });
    const binding = new NotebookBinding({
      context: nb.context,
      client: () => client,
      serverSettings: settings,
      sync: new KernelFileSync()
    });
    await settled();
    nb.startKernel('k-1');
    await binding.syncNow();
    expect(puts.at(-1)).toEqual({
      url: '/user/a/jaxlab/kernels/k-1/files',
      body: {
        files: {
          'main.py': 'def main():\n    return 1\n',
          'requirements.txt': '',
          'models.py': 'VERSION = 1\n'
        },
        remove: []
      }
    });
    expect(binding.state).toBe('synced');
    expect(binding.projectName).toBe('Project v1');
    // The export's other metadata stays.
    expect(nb.store.get('jaxlab')).toMatchObject({ jobId: 'j9' });

    stored = project('def main():\n    return 1\n', 2);
    const count = puts.length;
    await binding.syncNow(stored);
    expect(puts.slice(count)).toEqual([
      {
        url: '/user/a/jaxlab/kernels/k-1/files',
        body: { files: { 'models.py': 'VERSION = 2\n' }, remove: [] }
      }
    ]);

    nb.statusChanged.emit('restarting');
    nb.statusChanged.emit('idle');
    await settled();
    await binding.syncNow();
    expect(Object.keys((puts.at(-1)!.body as { files: object }).files)).toEqual(
      ['main.py', 'requirements.txt', 'models.py']
    );
  });

  it('should bind an unbound notebook in its metadata and say when the gateway refuses', async () => {
    const client = {
      getProject: async () => project('x = 1\n')
    } as unknown as ApiClient;
    const nb = notebook();
    nb.startKernel('k-2');
    const binding = new NotebookBinding({
      context: nb.context,
      client: () => client,
      serverSettings: settings,
      sync: new KernelFileSync()
    });
    await settled();
    expect(binding.state).toBe('unbound');
    expect(puts).toEqual([]);
    answer = res =>
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          reason: 'Bad Request',
          message: 'models.py in the kernel folder is not a plain file',
          code: 'UNSAFE_PATH',
          hint: 'Restart the kernel.'
        })
      );
    await binding.bind(project('x = 1\n'));
    expect(nb.store.get('jaxlab')).toEqual({
      projectId: 'p1',
      projectName: 'Project v1'
    });
    expect(binding.state).toBe('error');
    expect(binding.message).toContain('not a plain file');
    await binding.bind(null);
    expect(nb.store.get('jaxlab')).toEqual({});
    expect(binding.projectId).toBeNull();
  });
});
