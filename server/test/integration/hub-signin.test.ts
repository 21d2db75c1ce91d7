/**
 * The server as JupyterHub's OpenID provider (oidc-provider at /oidc), the
 * hub-only credential minting, the admin flag and the sign-in and sign-out
 * pages, driven over HTTP as the hub and a browser would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import { CookieJar } from '../stand-ins/cookie-jar.js';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer } from '../stand-ins/lab-server.js';
import { OAuthStandIn } from '../stand-ins/oauth-stand-in.js';

const HUB_URL = 'http://127.0.0.1:1';
const CLIENT_SECRET = 'hub-client-secret';
const HUB_TOKEN = 'hub-token';
const REDIRECT_URI = `${HUB_URL}/hub/oauth_callback`;

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

async function startTeamServer(replica?: {
  dataDir: string;
  google?: OAuthStandIn;
}): Promise<{
  server: ITestLabServer;
  google: OAuthStandIn;
}> {
  let google = replica?.google;
  if (!google) {
    google = new OAuthStandIn();
    await google.start();
    closers.push(() => google!.stop());
  }
  // A replica: its own connection to the shared database, one secret for all.
  const store = replica
    ? await openStore({ sqlite: { path: join(replica.dataDir, 'jaxlab.db') } })
    : undefined;
  if (store) closers.push(() => store.dispose());
  const server = await startLabServer({
    store,
    auth: {
      sessionSecret: replica ? 'one-secret-for-all-replicas' : undefined,
      mode: 'google',
      google: google.googleOptions(),
      adminEmails: ['Ada@Example.com']
    },
    hub: { url: HUB_URL, clientSecret: CLIENT_SECRET, token: HUB_TOKEN }
  });
  closers.push(() => server.close());
  return { server, google };
}

/**
 * Follows redirects with `jar` until one leaves `stopAt`'s origin or a
 * non-redirect; `route` may send each request elsewhere (another replica).
 */
async function follow(
  jar: CookieJar,
  url: string,
  stopAt: string,
  route: (url: string) => string = url => url
): Promise<string> {
  let current = url;
  for (let i = 0; i < 20; i++) {
    if (current.startsWith(stopAt)) return current;
    current = route(current);
    const res = await jar.fetch(current);
    if (res.status < 300 || res.status >= 400)
      throw new Error(`${current}: ${res.status} ${await res.text()}`);
    current = new URL(res.headers.get('location')!, current).toString();
  }
  throw new Error('too many redirects');
}

/**
 * The hub's authorization code flow with PKCE, as GenericOAuthenticator
 * does it; the browser's requests may be routed elsewhere (`route`), and
 * the hub's token request go to another server (`tokenAt`).
 */
async function hubSignIn(
  server: ITestLabServer,
  jar: CookieJar,
  route?: (url: string) => string,
  tokenAt: ITestLabServer = server
) {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const auth = new URL(`${server.url}/oidc/auth`);
  auth.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'jupyterhub',
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile groups',
    state: 'st4te',
    code_challenge: challenge,
    code_challenge_method: 'S256'
  }).toString();
  const back = new URL(await follow(jar, auth.toString(), HUB_URL, route));
  expect(back.searchParams.get('state')).toBe('st4te');
  const code = back.searchParams.get('code')!;
  const token = await fetch(`${tokenAt.url}/oidc/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`jupyterhub:${CLIENT_SECRET}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded'
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier
    })
  });
  expect(token.status).toBe(200);
  const { access_token: accessToken } = (await token.json()) as {
    access_token: string;
  };
  return accessToken;
}

const userinfo = (server: ITestLabServer, accessToken: string) =>
  fetch(`${server.url}/oidc/me`, {
    headers: { Authorization: `Bearer ${accessToken}` }
  });

describe('createLabServer({hub}): the OpenID provider JupyterHub signs in through', () => {
  it('should sign a user in at the lab server, then hand the hub their claims', async () => {
    const { server, google } = await startTeamServer();
    const discovery = (await (
      await fetch(`${server.url}/oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(`${server.url}/oidc`);
    expect(discovery.authorization_endpoint).toBe(`${server.url}/oidc/auth`);
    google.user = {
      sub: 'g-ada',
      email: 'ada@example.com',
      name: 'Ada Lovelace'
    };
    const jar = new CookieJar();
    const accessToken = await hubSignIn(server, jar);
    const me = (await (await jar.fetch(`${server.url}/api/me`)).json()) as {
      id: string;
      isAdmin: boolean;
    };
    expect(me.isAdmin).toBe(true);
    const claims = (await (
      await userinfo(server, accessToken)
    ).json()) as Record<string, unknown>;
    expect(claims).toEqual({
      sub: me.id,
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada Lovelace',
      preferred_username: 'ada@example.com',
      groups: ['admin']
    });
    // A second user is no admin.
    google.user = { sub: 'g-bob', email: 'bob@example.com', name: 'Bob' };
    const bobs = await hubSignIn(server, new CookieJar());
    expect(
      ((await (await userinfo(server, bobs)).json()) as { groups: string[] })
        .groups
    ).toEqual([]);
  });

  it('should finish on one server replica a sign-in started on the other, and keep its grant over a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'jaxlab-oidc-replicas-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const { server: a, google } = await startTeamServer({ dataDir });
    const { server: b } = await startTeamServer({ dataDir, google });
    google.user = { sub: 'g-ada', email: 'ada@example.com', name: 'Ada' };
    const jar = new CookieJar();
    // The browser reaches A first, every later step lands on B (the lab
    // session, the provider's interaction and its cookies); the hub
    // redeems the code at A and reads the claims at B.
    let steps = 0;
    const alternate = (url: string) =>
      steps++ === 0 ? url : url.replace(a.url, b.url);
    const accessToken = await hubSignIn(a, jar, alternate, a);
    expect(steps).toBeGreaterThan(2);
    const claims = (await (await userinfo(b, accessToken)).json()) as {
      email: string;
    };
    expect(claims.email).toBe('ada@example.com');
    // Both replicas sign ID tokens with one key.
    const keysOf = async (server: ITestLabServer) =>
      (
        (await (await fetch(`${server.url}/oidc/jwks`)).json()) as {
          keys: { n: string }[];
        }
      ).keys.map(k => k.n);
    expect(await keysOf(b)).toEqual(await keysOf(a));
    // A restarted replica still knows the token and the grant: the hub's
    // next sign-in needs no new interaction.
    await a.close();
    const { server: again } = await startTeamServer({ dataDir, google });
    expect((await userinfo(again, accessToken)).status).toBe(200);
    const visited: string[] = [];
    const toAgain = (url: string) => {
      visited.push(url);
      return url.replace(a.url, again.url);
    };
    await hubSignIn(again, jar, toAgain, again);
    expect(visited.some(url => url.includes('/oidc/interaction/'))).toBe(false);
  });

  it('should refuse an unknown client or redirect URL', async () => {
    const { server } = await startTeamServer();
    const res = await fetch(
      `${server.url}/oidc/auth?response_type=code&client_id=jupyterhub&redirect_uri=${encodeURIComponent('http://evil.example/cb')}&scope=openid`,
      {
        redirect: 'manual',
        headers: { Accept: 'text/html' }
      }
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign-in could not finish');
  });

  it('should end what it issued at sign-out: the access token fails and the next hub sign-in asks again', async () => {
    const { server, google } = await startTeamServer();
    google.user = { sub: 'g-ada', email: 'ada@example.com', name: 'Ada' };
    const jar = new CookieJar();
    const accessToken = await hubSignIn(server, jar);
    expect((await userinfo(server, accessToken)).status).toBe(200);
    const out = await jar.fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { Origin: server.url }
    });
    expect(out.status).toBe(204);
    expect((await userinfo(server, accessToken)).status).toBe(401);
    // The provider's own session cookie remains in the jar, but without a
    // lab session the provider sends the browser to sign in again.
    const auth = `${server.url}/oidc/auth?response_type=code&client_id=jupyterhub&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
    const toInteraction = await jar.fetch(auth);
    const interaction = await jar.fetch(
      new URL(toInteraction.headers.get('location')!, server.url).toString()
    );
    expect(interaction.headers.get('location')).toMatch(
      /^\/login\?next=%2Foidc%2Finteraction%2F/
    );
  });

  it('should send a browser that signs out on to the hub sign-out', async () => {
    const { server, google } = await startTeamServer();
    google.user = { sub: 'g-ada', email: 'ada@example.com', name: 'Ada' };
    const jar = new CookieJar();
    await hubSignIn(server, jar);
    const page = await jar.fetch(`${server.url}/auth/logout`, {
      headers: { Accept: 'text/html' }
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(
      '<form id="auto" method="post" action="/auth/logout">'
    );
    const out = await jar.fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: {
        Accept: 'text/html',
        Origin: server.url,
        'Content-Type': 'application/x-www-form-urlencoded'
      }
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(`${HUB_URL}/hub/logout`);
    const after = await jar.fetch(`${server.url}/auth/logout`, {
      headers: { Accept: 'text/html' }
    });
    expect(await after.text()).toContain('You are signed out');
    expect((await jar.fetch(`${server.url}/api/me`)).status).toBe(401);
  });
});

describe('createHubCredentialsRouter(): credentials for single-user servers', () => {
  it("should mint a user's credential for the hub only, and revoke it", async () => {
    const { server } = await startTeamServer();
    const ada = await server.as('ada');
    const mint = (token: string) =>
      fetch(`${server.url}/api/hub/credentials`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json'
        },
        body: JSON.stringify({ userId: ada.id })
      });
    expect((await mint(ada.token)).status).toBe(401);
    const minted = await mint(HUB_TOKEN);
    expect(minted.status).toBe(201);
    const credential = (await minted.json()) as {
      id: string;
      userId: string;
      token: string;
    };
    expect(credential.userId).toBe(ada.id);
    const me = await fetch(`${server.url}/api/me`, {
      headers: { Authorization: `Bearer ${credential.token}` }
    });
    expect(((await me.json()) as { id: string }).id).toBe(ada.id);
    const revoke = await fetch(
      `${server.url}/api/hub/credentials/${credential.id}?userId=${ada.id}`,
      {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${HUB_TOKEN}` }
      }
    );
    expect(revoke.status).toBe(204);
    expect(
      (
        await fetch(`${server.url}/api/me`, {
          headers: { Authorization: `Bearer ${credential.token}` }
        })
      ).status
    ).toBe(401);
    const unknown = await fetch(`${server.url}/api/hub/credentials`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${HUB_TOKEN}`,
        'Content-Type': 'application/json'
      },
      body: JSON.stringify({ userId: 'nobody' })
    });
    expect(unknown.status).toBe(404);
  });
});

describe('sign-in pages in local mode', () => {
  it('should explain the login URL to a browser without the token, in a page rather than JSON', async () => {
    const server = await startLabServer();
    closers.push(() => server.close());
    const res = await fetch(`${server.url}/login?next=%2Flab`, {
      headers: { Accept: 'text/html' }
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('Sign in to JAX TPU Lab');
    expect(html).toContain('/login?token=');
    // Programs still get the JSON error.
    const api = await fetch(`${server.url}/login`);
    expect(((await api.json()) as { code: string }).code).toBe('UNAUTHORIZED');
  });
});
