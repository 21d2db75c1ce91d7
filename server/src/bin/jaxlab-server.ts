#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { labPaths } from '@jaxlab/paths';
import { openStore } from '@jaxlab/store';
import { createLabServer } from '../create-lab-server.js';

const USAGE = `Usage: jaxlab-server [--port 8700] [--ip 127.0.0.1] [--data-dir DIR] [--allow-origin URL]...

Starts the JAX TPU Lab control plane. Store: MongoDB when MONGODB_URI is set,
else SQLite at <data-dir>/jaxlab.db (data dir: --data-dir, JAXLAB_DATA_DIR or
<repo>/.jaxlab). Sign-in: Google when GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and
GOOGLE_CALLBACK_URL are set, else local single-user mode with a login URL
printed at start (JAXLAB_TOKEN fixes its token); after sign-in the browser goes
to ?next= or JAXLAB_LAB_URL. AI review: GEMINI_API_KEY (model: GEMINI_MODEL).
Behind a TLS proxy set JAXLAB_TRUST_PROXY=1 (Secure cookies).
JAXLAB_MAX_JOBS_PER_USER: the per-user cap of concurrent jobs the gateways
apply (they read the same variable), so a queued job says when it waits for
it. Probes and metrics: GET /healthz, /readyz (the store answers), /metrics
(Prometheus). SIGTERM: stops accepting connections, then exits.

Team mode (JupyterHub signs users in through this server's OpenID provider at
/oidc): JAXLAB_HUB_URL (the hub's public URL), JAXLAB_HUB_CLIENT_SECRET (its
OAuth client secret), JAXLAB_HUB_TOKEN (the hub's token for minting server
credentials), JAXLAB_PUBLIC_URL (this server as browsers reach it; default
the bound address). JAXLAB_ADMIN_EMAILS: comma-separated admins. A
Google-compatible stand-in: GOOGLE_AUTHORIZATION_URL, GOOGLE_TOKEN_URL,
GOOGLE_USERINFO_URL.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.JAXLAB_PORT ?? '8700' },
      ip: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, not ${values.port}`);
  const dataDir = values['data-dir']
    ? resolve(values['data-dir'])
    : labPaths().dataDir;
  const store = await openStore({ dataDir });

  const env = process.env;
  const google =
    env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET && env.GOOGLE_CALLBACK_URL
      ? {
          clientId: env.GOOGLE_CLIENT_ID,
          clientSecret: env.GOOGLE_CLIENT_SECRET,
          callbackUrl: env.GOOGLE_CALLBACK_URL,
          authorizationUrl: env.GOOGLE_AUTHORIZATION_URL || undefined,
          tokenUrl: env.GOOGLE_TOKEN_URL || undefined,
          userProfileUrl: env.GOOGLE_USERINFO_URL || undefined
        }
      : undefined;
  const allowedOrigins = [
    ...(values['allow-origin'] ?? []),
    ...(env.JAXLAB_ALLOWED_ORIGINS?.split(',').filter(Boolean) ?? [])
  ];
  const hubUrl = env.JAXLAB_HUB_URL;
  if (hubUrl && !(env.JAXLAB_HUB_CLIENT_SECRET && env.JAXLAB_HUB_TOKEN))
    throw new Error(
      'JAXLAB_HUB_URL needs JAXLAB_HUB_CLIENT_SECRET and JAXLAB_HUB_TOKEN'
    );
  const lab = createLabServer({
    store,
    hub: hubUrl
      ? {
          url: hubUrl,
          clientSecret: env.JAXLAB_HUB_CLIENT_SECRET!,
          token: env.JAXLAB_HUB_TOKEN!,
          publicUrl: env.JAXLAB_PUBLIC_URL || undefined
        }
      : undefined,
    auth: {
      mode: google ? 'google' : 'local',
      google,
      localToken: env.JAXLAB_TOKEN || undefined,
      sessionSecret: env.JAXLAB_SESSION_SECRET || undefined,
      // After sign-in: `?next=` (a local path or an allowed origin), else the lab.
      afterLoginUrl: env.JAXLAB_LAB_URL || undefined,
      allowedRedirectOrigins: [
        ...allowedOrigins,
        ...(env.JAXLAB_LAB_URL ? [env.JAXLAB_LAB_URL] : []),
        ...(hubUrl ? [hubUrl] : [])
      ],
      adminEmails: env.JAXLAB_ADMIN_EMAILS?.split(',') ?? []
    },
    review: {
      apiKey: env.GEMINI_API_KEY || undefined,
      model: env.GEMINI_MODEL || undefined,
      // Another Gemini endpoint (a proxy, or a local stand-in in tests).
      baseUrl: env.GEMINI_BASE_URL || undefined
    },
    // Table indexes of the data viewer, beside the artifacts (for MongoDB
    // too: they are caches, rebuilt from the content when missing).
    viewerCacheDir: join(dataDir, 'artifacts', 'indexes'),
    allowedOrigins,
    config: {
      trustProxy: env.JAXLAB_TRUST_PROXY === '1',
      maxJobsPerOwner: positiveInteger(
        'JAXLAB_MAX_JOBS_PER_USER',
        env.JAXLAB_MAX_JOBS_PER_USER
      )
    }
  });
  const address = await lab.listen(port, values.ip);
  const host = values.ip!.includes(':') ? `[${values.ip}]` : values.ip!;
  const url = `http://${host}:${address.port}`;
  console.log(
    `jaxlab-server ${url} (store: ${store.kind}); sign in at ${lab.auth.loginUrl(url)}`
  );
  if (google && !env.JAXLAB_SESSION_SECRET)
    console.warn(
      'jaxlab-server: JAXLAB_SESSION_SECRET is not set, so sign-ins are valid on this process only and end when it restarts; set it, the same on every replica.'
    );
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    void lab
      .close()
      .then(() => store.dispose())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function positiveInteger(
  name: string,
  text: string | undefined
): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, not ${text}`);
  return n;
}

main().catch(error => {
  console.error(
    `jaxlab-server: ${error instanceof Error ? error.message : String(error)}`
  );
  process.exit(1);
});
