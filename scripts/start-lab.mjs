// Starts a whole lab: the control-plane server, one kernel gateway (which
// also runs jobs) and JupyterLab with the extension, on one embedded store.
// `npm start` runs it on fixed ports with .jaxlab/ as data folder; the
// end-to-end test imports startLab() and runs it on free ports with a temp
// folder, so both go through the same machinery.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * @typedef {object} RunningLab
 * @property {string} serverUrl control-plane server base URL
 * @property {string} gatewayUrl kernel gateway base URL
 * @property {string} labUrl JupyterLab URL including its token
 * @property {string} loginUrl local-mode login URL (signs in, then opens the lab)
 * @property {string} dataDir data folder (SQLite file, kernels, envs)
 * @property {() => string} output what every process printed so far
 * @property {() => Promise<void>} stop stops all three (and removes a temp data folder)
 */

/**
 * Starts server, gateway and JupyterLab.
 *
 * @param {object} [options]
 * @param {string} [options.dataDir] data folder; a fresh temp folder when absent
 * @param {boolean} [options.keepDataDir] keep a temp data folder on stop
 * @param {{server?: number, gateway?: number, lab?: number}} [options.ports] 0 or absent: a free port
 * @param {string} [options.ip] address to listen on (127.0.0.1)
 * @param {number} [options.readyTimeoutMs] how long to wait for each process
 * @param {NodeJS.ProcessEnv} [options.env] extra environment for all three
 * @param {(line: string) => void} [options.onOutput] each output line, prefixed by process
 * @returns {Promise<RunningLab>}
 */
export async function startLab(options = {}) {
  const isTempDir = !options.dataDir;
  const dataDir = resolve(
    options.dataDir ?? mkdtempSync(join(tmpdir(), 'jxl-'))
  );
  mkdirSync(dataDir, { recursive: true });
  // The sandbox user must reach the kernel folders inside it.
  chmodSync(dataDir, 0o755);
  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const host = options.ip ?? '127.0.0.1';
  const [serverPort, gatewayPort, labPort] = await Promise.all([
    options.ports?.server || freePort(),
    options.ports?.gateway || freePort(),
    options.ports?.lab || freePort()
  ]);
  const serverUrl = `http://${host}:${serverPort}`;
  const gatewayUrl = `http://${host}:${gatewayPort}`;
  const labOrigin = `http://${host}:${labPort}`;
  const labToken = randomBytes(24).toString('hex');
  const gatewayToken = randomBytes(24).toString('hex');
  const labUrl = `${labOrigin}/lab?token=${labToken}`;
  const children = [];
  let log = '';

  ensureBuilt();

  const env = {
    ...process.env,
    ...options.env,
    JAXLAB_DATA_DIR: dataDir,
    // After the login URL, the browser lands in the lab.
    JAXLAB_LAB_URL: labUrl
  };

  const start = (name, command, args, extraEnv = {}) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    const collect = chunk => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        log += `[${name}] ${line}\n`;
        options.onOutput?.(`[${name}] ${line}`);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    children.push(child);
    return child;
  };

  const stop = async () => {
    await Promise.all(children.reverse().map(stopChild));
    if (isTempDir && !options.keepDataDir)
      rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // 1. Control plane, local single-user mode: prints a login URL.
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
    // 2. Kernel gateway on the same store: registers its host, runs jobs.
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
    await waitForHttp(
      `${gatewayUrl}/api/kernelspecs`,
      timeoutMs,
      () => `the gateway did not start:\n${log}`
    );
    // 3. JupyterLab with the extension; notebooks and consoles run on the
    //    gateway's restricted kernels (--gateway-url).
    const settingsDir = join(dataDir, 'lab-settings');
    writeSettings(settingsDir, '@jaxlab/lab-extension', 'plugin', {
      serverUrl
    });
    writeSettings(
      settingsDir,
      '@jupyterlab/apputils-extension',
      'notification',
      {
        fetchNews: 'false',
        checkForUpdates: false
      }
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
    await waitForHttp(
      `${labOrigin}/api/status?token=${labToken}`,
      timeoutMs,
      () => `JupyterLab did not start:\n${log}`
    );
    return {
      serverUrl,
      gatewayUrl,
      labUrl,
      loginUrl,
      dataDir,
      output: () => log,
      stop
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Builds the TS packages and installs the extension into .venv if missing. */
function ensureBuilt() {
  const steps = [['npx', ['tsc', '-b', 'server', 'kernel-gateway']]];
  if (
    !existsSync(
      join(
        REPO_ROOT,
        '.venv/share/jupyter/labextensions/@jaxlab/lab-extension/package.json'
      )
    )
  ) {
    steps.push(['npm', ['run', 'build', '-w', '@jaxlab/lab-extension']]);
    steps.push([
      join(REPO_ROOT, '.venv/bin/pip'),
      ['install', '-q', '--no-deps', './lab-extension']
    ]);
  }
  for (const [command, args] of steps) {
    const run = spawnSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    if (run.status !== 0)
      throw new Error(
        `${command} ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`
      );
  }
}

function writeSettings(settingsDir, pkg, plugin, settings) {
  const dir = join(settingsDir, ...pkg.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${plugin}.jupyterlab-settings`),
    JSON.stringify(settings)
  );
}

function stopChild(child) {
  return new Promise(done => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = signal => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      kill('SIGKILL');
      done();
    }, 8000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    kill('SIGTERM');
  });
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor(probe, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise(r => setTimeout(r, 200));
  }
}

async function waitForHttp(url, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(message());
    await new Promise(r => setTimeout(r, 300));
  }
}

// `node scripts/start-lab.mjs`: the lab for a person, until Ctrl-C.
if (
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const port = (name, fallback) => Number(process.env[name] ?? fallback);
  const lab = await startLab({
    dataDir: process.env.JAXLAB_DATA_DIR ?? join(REPO_ROOT, '.jaxlab'),
    ip: process.env.JAXLAB_IP,
    ports: {
      server: port('JAXLAB_SERVER_PORT', 8700),
      gateway: port('JAXLAB_GATEWAY_PORT', 8701),
      lab: port('JAXLAB_LAB_PORT', 8888)
    },
    onOutput: line => console.log(line)
  });
  console.log(`
JAX TPU Lab is running (data: ${lab.dataDir}).
  Open this URL to sign in and land in JupyterLab:
      ${lab.loginUrl}
  JupyterLab:     ${lab.labUrl}
  Server API:     ${lab.serverUrl}/api (OpenAPI: ${lab.serverUrl}/api/openapi.json)
  Kernel gateway: ${lab.gatewayUrl}
Press Ctrl-C to stop.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    await lab.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
