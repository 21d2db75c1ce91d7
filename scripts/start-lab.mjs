// Starts a whole lab: the control-plane server and one kernel gateway
// (which also runs jobs) on one embedded store, and
//
// - local mode: one JupyterLab with the extension for the machine's owner
//   (terminals off unless asked for);
// - team mode: JupyterHub (hub/), which signs users in through the server's
//   OpenID provider and gives each user their own JupyterLab, running as
//   their own system account, on the gateway's restricted kernels only.
//
// `npm start` runs it on fixed ports with .jaxlab/ as data folder; the
// end-to-end tests import startLab() and run it on free ports with a temp
// folder, so both go through the same machinery.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  processGroup,
  waitFor,
  waitForHttp
} from './lab-processes.mjs';

export { freePort } from './lab-processes.mjs';

/** Root of the repository. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const VENV = join(REPO_ROOT, '.venv');

/**
 * @typedef {object} RunningLab
 * @property {'local' | 'team'} mode which lab runs
 * @property {string} serverUrl control-plane server base URL
 * @property {string} gatewayUrl kernel gateway base URL
 * @property {string} gatewayToken the gateway's operator token
 * @property {string} labUrl local mode: JupyterLab URL with its token; team mode: the hub's /hub/ URL
 * @property {string} loginUrl sign-in URL (local mode: with the one-time token), then the lab
 * @property {string} [hubUrl] team mode: JupyterHub's public URL
 * @property {string} [homeRoot] team mode: where user accounts' homes are
 * @property {string} dataDir data folder (SQLite file, kernels, envs)
 * @property {() => string} output what every process printed so far
 * @property {() => Promise<void>} stop stops every process (and removes a temp data folder)
 */

/**
 * Starts server, gateway and JupyterLab (local) or JupyterHub (team).
 *
 * @param {object} [options]
 * @param {'local' | 'team'} [options.mode] default local; team needs root (it creates system accounts)
 * @param {string} [options.dataDir] data folder; a fresh temp folder when absent
 * @param {boolean} [options.keepDataDir] keep a temp data folder on stop
 * @param {{server?: number, gateway?: number, lab?: number, hub?: number}} [options.ports] 0 or absent: a free port
 * @param {string} [options.ip] address to listen on (127.0.0.1)
 * @param {number} [options.readyTimeoutMs] how long to wait for each process
 * @param {NodeJS.ProcessEnv} [options.env] extra environment for every process (e.g. GOOGLE_*)
 * @param {(line: string) => void} [options.onOutput] each output line, prefixed by process
 * @param {boolean} [options.enableTerminals] local mode: JupyterLab terminals (a shell as the lab's user)
 * @param {string} [options.homeRoot] team mode: where user accounts' homes go (/home)
 * @param {number} [options.idleTimeoutS] team mode: idle servers are culled after this (3600)
 * @param {string[]} [options.adminEmails] admins (hub admin page, `isAdmin` at /api/me)
 * @returns {Promise<RunningLab>}
 */
export async function startLab(options = {}) {
  const mode = options.mode ?? 'local';
  if (mode === 'team' && process.getuid?.() !== 0)
    throw new Error(
      'Team mode creates a system account per user and must run as root.'
    );
  const idleTimeoutS = options.idleTimeoutS ?? 3600;
  if (!Number.isInteger(idleTimeoutS) || idleTimeoutS < 1)
    throw new Error(
      `The idle timeout (JAXLAB_IDLE_TIMEOUT_S) must be a whole number of seconds, at least 1, not ${options.idleTimeoutS}; the default is 3600.`
    );
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
    options.ports?.lab || options.ports?.hub || freePort()
  ]);
  const serverUrl = `http://${host}:${serverPort}`;
  const gatewayUrl = `http://${host}:${gatewayPort}`;
  // Local mode: JupyterLab's origin; team mode: the hub's (its proxy's).
  const labOrigin = `http://${host}:${labPort}`;
  const gatewayToken = randomBytes(24).toString('hex');

  ensureBuilt();

  const processes = processGroup({
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, JAXLAB_DATA_DIR: dataDir },
    onOutput: options.onOutput
  });
  // Local mode: the lab's credential is revoked while the server still runs.
  let revokeLabCredential = async () => {};
  const stop = async () => {
    await revokeLabCredential().catch(() => {});
    await processes.stop();
    if (isTempDir && !options.keepDataDir)
      rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const hub =
      mode === 'team'
        ? {
            url: labOrigin,
            clientSecret: randomBytes(24).toString('hex'),
            token: randomBytes(24).toString('hex')
          }
        : undefined;
    const labToken = randomBytes(24).toString('hex');
    const labUrl = hub
      ? `${labOrigin}/hub/`
      : `${labOrigin}/lab?token=${labToken}`;
    // 1. Control plane: prints its sign-in URL. In team mode it is also the
    //    OpenID provider the hub signs users in through.
    processes.start(
      'server',
      process.execPath,
      [
        'server/lib/bin/jaxlab-server.js',
        '--port',
        String(serverPort),
        '--ip',
        host,
        '--data-dir',
        dataDir,
        '--allow-origin',
        labOrigin
      ],
      {
        // After sign-in, the browser lands in the lab (team: the hub).
        JAXLAB_LAB_URL: labUrl,
        JAXLAB_ADMIN_EMAILS: (options.adminEmails ?? []).join(','),
        ...(hub
          ? {
              JAXLAB_HUB_URL: hub.url,
              JAXLAB_HUB_CLIENT_SECRET: hub.clientSecret,
              JAXLAB_HUB_TOKEN: hub.token,
              JAXLAB_PUBLIC_URL: serverUrl
            }
          : {})
      }
    );
    const loginUrl = await waitFor(
      () =>
        /sign in at (https?:\/\/\S+\/(?:login\?token=[\w.~%-]+|auth\/google))/.exec(
          processes.output()
        )?.[1] ?? null,
      timeoutMs,
      () => `the server did not print its login URL:\n${processes.output()}`
    );
    // 2. Kernel gateway on the same store: registers its host, runs jobs,
    //    and resolves each user's credential through the store.
    const gateway = processes.start('gateway', process.execPath, [
      'kernel-gateway/lib/bin/jaxlab-gateway.js',
      '--port',
      String(gatewayPort),
      '--ip',
      host,
      '--token',
      gatewayToken,
      '--data-dir',
      dataDir
    ]);
    await waitForHttp(
      `${gatewayUrl}/api/kernelspecs`,
      timeoutMs,
      () => `the gateway did not start:\n${processes.output()}`,
      gateway
    );
    const running = {
      mode,
      serverUrl,
      gatewayUrl,
      gatewayToken,
      labUrl,
      loginUrl,
      dataDir,
      output: processes.output,
      stop
    };
    // 3. The lab: one JupyterLab, or the hub that spawns one per user.
    if (hub) {
      const homeRoot = resolve(options.homeRoot ?? '/home');
      await startHub(processes, {
        dataDir,
        hub,
        serverUrl,
        gatewayUrl,
        homeRoot,
        idleTimeoutS,
        timeoutMs
      });
      return { ...running, hubUrl: hub.url, homeRoot };
    }
    revokeLabCredential = await startJupyterLab(processes, {
      dataDir,
      host,
      labPort,
      labToken,
      serverUrl,
      gatewayUrl,
      localToken: new URL(loginUrl).searchParams.get('token'),
      enableTerminals: options.enableTerminals ?? false,
      timeoutMs
    });
    return running;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Local mode's JupyterLab: notebooks and consoles run on the gateway's
 * restricted kernels (--gateway-url), reached with the local user's own
 * credential (a personal API token), as each user's server does in team
 * mode, so it sees only its own kernels. Resolves with the function that
 * revokes that credential (at stop, so tokens do not pile up per start).
 */
async function startJupyterLab(processes, o) {
  const settingsDir = join(o.dataDir, 'lab-settings');
  writeSettings(settingsDir, '@jaxlab/lab-extension', 'plugin', {
    serverUrl: o.serverUrl
  });
  writeSettings(settingsDir, '@jupyterlab/apputils-extension', 'notification', {
    fetchNews: 'false',
    checkForUpdates: false
  });
  const notebooks = join(o.dataDir, 'notebooks');
  mkdirSync(notebooks, { recursive: true, mode: 0o700 });
  const credential = await mintApiToken(
    o.serverUrl,
    o.localToken,
    'jupyterlab (local mode)'
  );
  const revoke = async () => {
    await fetch(
      `${o.serverUrl}/api/tokens/${encodeURIComponent(credential.id)}`,
      {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${o.localToken}` }
      }
    );
  };
  if (o.enableTerminals)
    processes.note(
      'lab',
      `WARNING: terminals are enabled: whoever opens this JupyterLab gets a shell on this host as ${
        process.getuid?.() === 0 ? 'root' : 'this user'
      }, outside the restricted kernel.`
    );
  const lab = processes.start(
    'lab',
    join(VENV, 'bin/jupyter'),
    [
      'lab',
      '--no-browser',
      `--ServerApp.ip=${o.host}`,
      `--ServerApp.port=${o.labPort}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${o.labToken}`,
      `--ServerApp.root_dir=${notebooks}`,
      // Lists a folder whose file is renamed meanwhile (see contents.py).
      '--ServerApp.contents_manager_class=jaxlab_lab_extension.contents.ContentsManager',
      `--gateway-url=${o.gatewayUrl}`,
      `--ServerApp.terminals_enabled=${o.enableTerminals ? 'True' : 'False'}`,
      '--LabApp.news_url=',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
    ],
    {
      JUPYTERLAB_SETTINGS_DIR: settingsDir,
      JUPYTERLAB_WORKSPACES_DIR: join(o.dataDir, 'lab-workspaces'),
      JUPYTER_RUNTIME_DIR: join(o.dataDir, 'jupyter-runtime'),
      JUPYTER_CONFIG_DIR: join(o.dataDir, 'jupyter-config'),
      // In the environment, not argv: every account can read argv.
      JUPYTER_GATEWAY_AUTH_TOKEN: credential.token,
      PATH: `${join(VENV, 'bin')}:${process.env.PATH ?? ''}`
    }
  );
  await waitForHttp(
    `http://${o.host}:${o.labPort}/api/status?token=${o.labToken}`,
    o.timeoutMs,
    () => `JupyterLab did not start:\n${processes.output()}`,
    lab
  );
  return revoke;
}

/**
 * Team mode's JupyterHub (configuration: hub/src/jaxlab_hub/
 * jupyterhub_config.py) with configurable-http-proxy from npm and the idle
 * culler; its state lives in <dataDir>/hub (0700).
 */
async function startHub(processes, o) {
  const hubDir = join(o.dataDir, 'hub');
  mkdirSync(hubDir, { recursive: true, mode: 0o700 });
  chmodSync(hubDir, 0o700);
  const cryptKeyFile = join(hubDir, 'crypt_key');
  if (!existsSync(cryptKeyFile))
    writeFileSync(cryptKeyFile, randomBytes(32).toString('hex'), {
      mode: 0o600
    });
  const [hubApiPort, proxyApiPort] = await Promise.all([
    freePort(),
    freePort()
  ]);
  const hub = processes.start(
    'hub',
    join(VENV, 'bin/jupyterhub'),
    ['-f', join(REPO_ROOT, 'hub/src/jaxlab_hub/jupyterhub_config.py')],
    {
      JAXLAB_HUB_DIR: hubDir,
      JAXLAB_HUB_BIND_URL: o.hub.url,
      JAXLAB_HUB_API_PORT: String(hubApiPort),
      JAXLAB_PROXY_API_PORT: String(proxyApiPort),
      JAXLAB_PROXY_COMMAND: join(
        REPO_ROOT,
        'node_modules/.bin/configurable-http-proxy'
      ),
      JAXLAB_SERVER_URL: o.serverUrl,
      JAXLAB_HUB_CLIENT_SECRET: o.hub.clientSecret,
      JAXLAB_HUB_TOKEN: o.hub.token,
      JAXLAB_GATEWAY_URL: o.gatewayUrl,
      JAXLAB_HUB_HOME_ROOT: o.homeRoot,
      JAXLAB_IDLE_TIMEOUT_S: String(o.idleTimeoutS),
      JAXLAB_VENV: VENV,
      JUPYTERHUB_CRYPT_KEY: readFileSync(cryptKeyFile, 'utf8').trim(),
      CONFIGPROXY_AUTH_TOKEN: randomBytes(24).toString('hex'),
      PATH: `${join(VENV, 'bin')}:${process.env.PATH ?? ''}`
    },
    // The hub stops every user's server and the proxy on SIGTERM.
    30_000
  );
  await waitForHttp(
    `${o.hub.url}/hub/api/`,
    o.timeoutMs,
    () => `JupyterHub did not start:\n${processes.output()}`,
    hub,
    // The proxy answers 404 until the hub has added its own route.
    status => status === 200
  );
}

/** A personal API token `{id, token}` of the user `bearer` signs in (POST /api/tokens). */
async function mintApiToken(serverUrl, bearer, name) {
  const res = await fetch(`${serverUrl}/api/tokens`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${bearer}`,
      'Content-Type': 'application/json'
    },
    body: JSON.stringify({ name })
  });
  if (res.status !== 201)
    throw new Error(
      `could not mint a credential: ${res.status} ${await res.text()}`
    );
  return await res.json();
}

/** Builds the TS packages and installs the extension and hub into .venv if missing. */
function ensureBuilt() {
  const steps = [['npx', ['tsc', '-b', 'server', 'kernel-gateway']]];
  if (
    !existsSync(
      join(
        VENV,
        'share/jupyter/labextensions/@jaxlab/lab-extension/package.json'
      )
    )
  ) {
    steps.push(['npm', ['run', 'build', '-w', '@jaxlab/lab-extension']]);
    steps.push([
      join(VENV, 'bin/pip'),
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

// `node scripts/start-lab.mjs [--team] [--enable-terminals]`: the lab for
// a person, until Ctrl-C. Team mode when --team is given or Google sign-in
// is configured (GOOGLE_CLIENT_ID).
if (
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const args = process.argv.slice(2);
  const env = process.env;
  const mode =
    args.includes('--team') || env.GOOGLE_CLIENT_ID ? 'team' : 'local';
  const enableTerminals =
    args.includes('--enable-terminals') || env.JAXLAB_ENABLE_TERMINALS === '1';
  const port = (name, fallback) => Number(env[name] ?? fallback);
  const lab = await startLab({
    mode,
    enableTerminals,
    dataDir: env.JAXLAB_DATA_DIR ?? join(REPO_ROOT, '.jaxlab'),
    ip: env.JAXLAB_IP,
    ports: {
      server: port('JAXLAB_SERVER_PORT', 8700),
      gateway: port('JAXLAB_GATEWAY_PORT', 8701),
      lab: port(
        mode === 'team' ? 'JAXLAB_HUB_PORT' : 'JAXLAB_LAB_PORT',
        mode === 'team' ? 8000 : 8888
      )
    },
    homeRoot: env.JAXLAB_HUB_HOME_ROOT,
    idleTimeoutS: env.JAXLAB_IDLE_TIMEOUT_S
      ? Number(env.JAXLAB_IDLE_TIMEOUT_S)
      : undefined,
    adminEmails: env.JAXLAB_ADMIN_EMAILS?.split(','),
    onOutput: line => console.log(line)
  });
  console.log(
    lab.mode === 'team'
      ? `
JAX TPU Lab (team mode) is running (data: ${lab.dataDir}).
  Each user opens JupyterHub, signs in through the lab server and gets their
  own JupyterLab, as their own system account under ${lab.homeRoot}:
      ${lab.hubUrl}/hub/
  Server API:     ${lab.serverUrl}/api (OpenAPI: ${lab.serverUrl}/api/openapi.json)
  Kernel gateway: ${lab.gatewayUrl}
Press Ctrl-C to stop.`
      : `
JAX TPU Lab is running (data: ${lab.dataDir}).
  Open this URL to sign in and land in JupyterLab:
      ${lab.loginUrl}
  JupyterLab:     ${lab.labUrl}
  Server API:     ${lab.serverUrl}/api (OpenAPI: ${lab.serverUrl}/api/openapi.json)
  Kernel gateway: ${lab.gatewayUrl}
Press Ctrl-C to stop.`
  );
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
