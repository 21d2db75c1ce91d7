// Team mode's front end: JupyterHub, one JupyterLab per user as their own
// system account (start-lab.mjs).
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHttp } from './lab-processes.mjs';
import { REPO_ROOT, VENV } from './repo-root.mjs';

/**
 * Team mode's JupyterHub (configuration: hub/src/jaxlab_hub/
 * jupyterhub_config.py) with configurable-http-proxy from npm and the idle
 * culler; its state lives in <dataDir>/hub (0700).
 */
export async function startHub(processes, o) {
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
