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
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  processGroup,
  waitFor,
  waitForHttp
} from './lab-processes.mjs';
import { REPO_ROOT, VENV } from './repo-root.mjs';
import { startHub } from './start-hub.mjs';
import { startJupyterLab } from './start-jupyterlab.mjs';

export { freePort } from './lab-processes.mjs';
export { REPO_ROOT } from './repo-root.mjs';

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
