import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The three processes of a lab, and where they listen. */
export interface IRunningLab {
  /** Control-plane server base URL. */
  serverUrl: string;
  /** Kernel gateway base URL. */
  gatewayUrl: string;
  /** JupyterLab URL including its token (`/lab?token=...`). */
  labUrl: string;
  /** Local-mode login URL the server printed. */
  loginUrl: string;
  /** Data folder (SQLite file, kernels, envs). */
  dataDir: string;
  /** Output of every process so far, for failure messages. */
  output(): string;
  /** Stop all three and remove the data folder (unless `keepDataDir`). */
  stop(): Promise<void>;
}

/** Options of {@link startLab}. */
export interface IStartLabOptions {
  /** Data folder; a fresh temp folder when absent. */
  dataDir?: string;
  /** Keep the data folder on stop. */
  keepDataDir?: boolean;
  /** How long to wait for each process to listen, ms. */
  readyTimeoutMs?: number;
  /** Extra environment for all three. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Start a whole lab the way `npm start` does — server, one kernel gateway
 * and JupyterLab with the extension, all on one embedded store — but on free
 * ports with a temp data folder, for tests.
 *
 * The server and gateway run from their compiled `lib/` (built here with
 * `tsc -b` if needed); JupyterLab runs from the repository's `.venv` with
 * `--gateway-url` pointing at the gateway, so notebooks and consoles run on
 * the gateway's restricted kernels, and with its own settings folder whose
 * `@jaxlab/lab-extension:plugin` settings point at the server.
 */
export async function startLab(options: IStartLabOptions = {}): Promise<IRunningLab> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jxe-'));
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const [serverPort, gatewayPort, labPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const host = '127.0.0.1';
  const serverUrl = `http://${host}:${serverPort}`;
  const gatewayUrl = `http://${host}:${gatewayPort}`;
  const labToken = `e2e${Math.random().toString(36).slice(2)}`;
  const gatewayToken = `gw${Math.random().toString(36).slice(2)}`;
  const labOrigin = `http://${host}:${labPort}`;
  const labUrl = `${labOrigin}/lab?token=${labToken}`;
  const children: ChildProcess[] = [];
  let log = '';

  ensureExtensionInstalled();
  const build = spawnSync('npx', ['tsc', '-b', 'server', 'kernel-gateway'], {
    cwd: REPO_ROOT,
    encoding: 'utf8'
  });
  if (build.status !== 0) {
    throw new Error(`tsc -b server kernel-gateway failed:\n${build.stdout}${build.stderr}`);
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    JAXLAB_DATA_DIR: dataDir,
    JAXLAB_IP: host,
    JAXLAB_SERVER_PORT: String(serverPort),
    JAXLAB_GATEWAY_PORT: String(gatewayPort),
    JAXLAB_LAB_PORT: String(labPort),
    JAXLAB_SERVER_URL: serverUrl
  };
  delete env.GOOGLE_CLIENT_ID;
  delete env.GEMINI_API_KEY;
  delete env.GOOGLE_API_KEY;

  const start = (name: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): ChildProcess => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    const collect = (chunk: Buffer): void => {
      log += chunk
        .toString()
        .split('\n')
        .map(line => (line ? `[${name}] ${line}` : line))
        .join('\n');
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    children.push(child);
    return child;
  };

  const stop = async (): Promise<void> => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    }
    await Promise.all(
      children.map(
        child =>
          new Promise<void>(done => {
            if (child.exitCode !== null || child.signalCode !== null) {
              done();
              return;
            }
            const timer = setTimeout(() => {
              try {
                process.kill(-child.pid!, 'SIGKILL');
              } catch {
                // Already gone.
              }
              done();
            }, 5000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
          })
      )
    );
    if (!options.keepDataDir) {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    // 1. Control-plane server (local single-user mode: prints a login URL).
    start('server', process.execPath, [
      'server/lib/bin/jaxlab-server.js',
      '--port',
      String(serverPort),
      '--ip',
      host,
      '--data-dir',
      dataDir,
      '--allow-origin',
      labOrigin
    ]);
    const loginUrl = await waitFor(
      () => /(https?:\/\/\S+\/login\?token=[\w.~%-]+)/.exec(log)?.[1] ?? null,
      timeoutMs,
      () => `the server did not print its login URL:\n${log}`
    );
    // 2. Kernel gateway on the same store; it registers its host and runs jobs.
    start('gateway', process.execPath, [
      'kernel-gateway/lib/bin/jaxlab-gateway.js',
      '--port',
      String(gatewayPort),
      '--ip',
      host,
      '--token',
      gatewayToken,
      '--data-dir',
      dataDir,
      '--allow-origin',
      labOrigin
    ]);
    await waitForHttp(`${gatewayUrl}/api/kernelspecs`, timeoutMs, () => `the gateway did not start:\n${log}`);
    // 3. JupyterLab with the extension, kernels on the gateway.
    const settingsDir = join(dataDir, 'lab-settings');
    const extSettings = join(settingsDir, '@jaxlab', 'lab-extension');
    mkdirSync(extSettings, { recursive: true });
    writeFileSync(join(extSettings, 'plugin.jupyterlab-settings'), JSON.stringify({ serverUrl }));
    // No news pop-up over the screenshots.
    const apputils = join(settingsDir, '@jupyterlab', 'apputils-extension');
    mkdirSync(apputils, { recursive: true });
    writeFileSync(
      join(apputils, 'notification.jupyterlab-settings'),
      JSON.stringify({ fetchNews: 'false', checkForUpdates: false })
    );
    const notebooks = join(dataDir, 'notebooks');
    mkdirSync(notebooks, { recursive: true });
    start(
      'lab',
      join(REPO_ROOT, '.venv/bin/jupyter'),
      [
        'lab',
        '--no-browser',
        `--ServerApp.ip=${host}`,
        `--ServerApp.port=${labPort}`,
        '--ServerApp.port_retries=0',
        `--IdentityProvider.token=${labToken}`,
        `--ServerApp.root_dir=${notebooks}`,
        `--gateway-url=${gatewayUrl}`,
        `--GatewayClient.auth_token=${gatewayToken}`,
        '--LabApp.news_url=',
        '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
        ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
      ],
      {
        JUPYTERLAB_SETTINGS_DIR: settingsDir,
        JUPYTERLAB_WORKSPACES_DIR: join(dataDir, 'lab-workspaces'),
        JUPYTER_RUNTIME_DIR: join(dataDir, 'jupyter-runtime'),
        JUPYTER_CONFIG_DIR: join(dataDir, 'jupyter-config'),
        PATH: `${join(REPO_ROOT, '.venv/bin')}:${process.env.PATH ?? ''}`
      }
    );
    await waitForHttp(`${labOrigin}/api/status?token=${labToken}`, timeoutMs, () => `JupyterLab did not start:\n${log}`);
    return { serverUrl, gatewayUrl, labUrl, loginUrl, dataDir, output: () => log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Build the extension and pip-install it into the repository's `.venv` when
 * JupyterLab there does not have it yet.
 */
export function ensureExtensionInstalled(): void {
  const installed = join(REPO_ROOT, '.venv/share/jupyter/labextensions/@jaxlab/lab-extension/package.json');
  if (existsSync(installed)) {
    return;
  }
  for (const [command, args, cwd] of [
    ['npm', ['run', 'build', '-w', '@jaxlab/lab-extension'], REPO_ROOT],
    [join(REPO_ROOT, '.venv/bin/pip'), ['install', '--no-deps', './lab-extension'], REPO_ROOT]
  ] as const) {
    const run = spawnSync(command, [...args], { cwd, encoding: 'utf8' });
    if (run.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
    }
  }
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor<T>(probe: () => T | null, timeoutMs: number, message: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(message());
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

async function waitForHttp(url: string, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status < 500) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(message());
    }
    await new Promise(r => setTimeout(r, 300));
  }
}
