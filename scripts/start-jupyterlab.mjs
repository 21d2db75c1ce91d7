// Local mode's front end: one JupyterLab with the extension, on the
// gateway's restricted kernels, for the machine's owner (start-lab.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForHttp } from './lab-processes.mjs';
import { VENV } from './repo-root.mjs';

/**
 * Local mode's JupyterLab: notebooks and consoles run on the gateway's
 * restricted kernels (--gateway-url), reached with the local user's own
 * credential (a personal API token), as each user's server does in team
 * mode, so it sees only its own kernels. Resolves with the function that
 * revokes that credential (at stop, so tokens do not pile up per start).
 */
export async function startJupyterLab(processes, o) {
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

function writeSettings(settingsDir, pkg, plugin, settings) {
  const dir = join(settingsDir, ...pkg.split('/'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${plugin}.jupyterlab-settings`),
    JSON.stringify(settings)
  );
}
