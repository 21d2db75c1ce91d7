import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import { startLabServer } from '../stand-ins/lab-server.js';
import { CookieJar } from '../stand-ins/cookie-jar.js';
import { OAuthStandIn } from '../stand-ins/oauth-stand-in.js';

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startServer(
  mode: 'google' | 'local',
  provider?: OAuthStandIn,
  trustProxy = false
) {
  const server = await startLabServer({
    config: { trustProxy },
    auth: {
      mode,
      localToken: mode === 'local' ? 'local-secret-token' : undefined,
      google: provider
        ? {
            clientId: 'client-1',
            clientSecret: 'shh',
            callbackUrl: '/auth/google/callback',
            authorizationUrl: `${provider.url}/authorize`,
            tokenUrl: `${provider.url}/token`,
            userProfileUrl: `${provider.url}/userinfo`
          }
        : undefined
    }
  });
  closers.push(server.close);
  return { store: server.store, url: server.url, auth: server.lab.auth };
}

/** SHA-256 (hex): sessions are stored under this of the cookie's id. */
function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The session id inside the signed `jaxlab.sid` cookie (`s:<id>.<signature>`). */
function sessionIdOf(jar: CookieJar): string {
  return decodeURIComponent(jar.header().split('=')[1]).slice(2).split('.')[0];
}

async function googleDance(url: string, jar: CookieJar): Promise<Response> {
  const start = await jar.fetch(`${url}/auth/google`);
  expect(start.status).toBe(302);
  const toProvider = start.headers.get('location')!;
  expect(toProvider).toContain('state=');
  expect(new URL(toProvider).searchParams.get('redirect_uri')).toBe(
    `${url}/auth/google/callback`
  );
  const back = await fetch(toProvider, { redirect: 'manual' });
  expect(back.status).toBe(302);
  expect(new URL(back.headers.get('location')!).pathname).toBe(
    '/auth/google/callback'
  );
  return jar.fetch(back.headers.get('location')!);
}

describe('createAuth() google mode', () => {
  let provider: OAuthStandIn;
  beforeEach(async () => {
    provider = new OAuthStandIn();
    await provider.start();
    closers.push(() => provider.stop());
  });

  it('should sign in through the whole redirect dance and show the user at /api/me', async () => {
    const { url } = await startServer('google', provider);
    const jar = new CookieJar();
    const done = await googleDance(url, jar);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/lab');
    const cookieLine = done.headers.getSetCookie().join('\n');
    expect(cookieLine).toMatch(/HttpOnly/i);
    expect(cookieLine).toMatch(/SameSite=Lax/i);
    const me = await jar.fetch(`${url}/api/me`);
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      provider: 'google'
    });
    expect(Object.keys(body).sort()).toEqual([
      'email',
      'id',
      'isAdmin',
      'name',
      'provider'
    ]);
    expect(body.isAdmin).toBe(false);
  });

  it('should refuse a forged state', async () => {
    const { url } = await startServer('google', provider);
    const jar = new CookieJar();
    const start = await jar.fetch(`${url}/auth/google`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('state', 'forged-state');
    const back = await fetch(authorize, { redirect: 'manual' });
    const res = await jar.fetch(back.headers.get('location')!);
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('UNAUTHORIZED');
    expect((await jar.fetch(`${url}/api/me`)).status).toBe(401);
  });

  it('should refuse a callback without the session that started it', async () => {
    const { url } = await startServer('google', provider);
    const victim = new CookieJar();
    const start = await victim.fetch(`${url}/auth/google`);
    const back = await fetch(start.headers.get('location')!, {
      redirect: 'manual'
    });
    // An attacker replays the callback URL in another browser.
    const attacker = new CookieJar();
    const res = await attacker.fetch(back.headers.get('location')!);
    expect(res.status).toBe(401);
  });

  it('should invalidate the session server-side on logout', async () => {
    const { url, store } = await startServer('google', provider);
    const jar = new CookieJar();
    expect((await googleDance(url, jar)).status).toBe(302);
    expect((await jar.fetch(`${url}/api/me`)).status).toBe(200);
    // Sessions are stored under a hash, never under the cookie's id.
    const sid = sessionIdOf(jar);
    expect(await store.accounts.getSession(sha256(sid))).not.toBeNull();
    expect(await store.accounts.getSession(sid)).toBeNull();
    const old = jar.clone();
    // A browser sends its Origin with a POST (the Origin check wants one).
    const out = await jar.fetch(`${url}/auth/logout`, {
      method: 'POST',
      headers: { origin: url }
    });
    expect(out.status).toBe(204);
    expect(await store.accounts.getSession(sha256(sid))).toBeNull();
    const replay = await old.fetch(`${url}/api/me`);
    expect(replay.status).toBe(401);
  });
});

describe('createAuth() on two replicas of one store', () => {
  /** A replica over its own connection to the SQLite file in `dataDir`. */
  async function replica(
    provider: OAuthStandIn,
    dataDir: string,
    sessionSecret: string
  ): Promise<string> {
    const store = await openStore({ dataDir });
    const server = await startLabServer({
      store,
      auth: {
        mode: 'google',
        sessionSecret,
        google: {
          clientId: 'client-1',
          clientSecret: 'shh',
          callbackUrl: '/auth/google/callback',
          authorizationUrl: `${provider.url}/authorize`,
          tokenUrl: `${provider.url}/token`,
          userProfileUrl: `${provider.url}/userinfo`
        }
      }
    });
    closers.push(async () => {
      await server.close();
      await store.dispose();
    });
    return server.url;
  }

  /** Two replicas signing cookies with these secrets; their URLs. */
  async function twoReplicas(
    secretOfA: string,
    secretOfB: string
  ): Promise<[string, string]> {
    const provider = new OAuthStandIn();
    await provider.start();
    const dataDir = await mkdtemp(join(tmpdir(), 'jaxlab-replicas-'));
    closers.push(async () => {
      await provider.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    return [
      await replica(provider, dataDir, secretOfA),
      await replica(provider, dataDir, secretOfB)
    ];
  }

  it('should keep a session signed in on one replica valid on the other, and a sign-out on either end it on both', async () => {
    const [a, b] = await twoReplicas(
      'one-secret-for-all-replicas',
      'one-secret-for-all-replicas'
    );
    const jar = new CookieJar();
    expect((await googleDance(a, jar)).status).toBe(302);
    const onA = await jar.fetch(`${a}/api/me`);
    const onB = await jar.fetch(`${b}/api/me`);
    expect(onB.status).toBe(200);
    expect(await onB.json()).toEqual(await onA.json());
    const out = await jar.fetch(`${b}/auth/logout`, {
      method: 'POST',
      headers: { origin: b }
    });
    expect(out.status).toBe(204);
    expect((await jar.fetch(`${a}/api/me`)).status).toBe(401);
  });

  it('should not accept on a replica with another session secret a cookie the first one signed', async () => {
    const [a, b] = await twoReplicas('secret-of-a', 'secret-of-b');
    const jar = new CookieJar();
    expect((await googleDance(a, jar)).status).toBe(302);
    expect((await jar.fetch(`${a}/api/me`)).status).toBe(200);
    expect((await jar.fetch(`${b}/api/me`)).status).toBe(401);
  });
});

describe('createAuth() local mode', () => {
  it('should answer 401 everywhere but public paths without the login token', async () => {
    const { url } = await startServer('local');
    for (const path of [
      '/api/tokens',
      '/api/jobs',
      '/api/hosts',
      '/api/nothing-here'
    ]) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(401);
      expect((await res.json()).code).toBe('UNAUTHORIZED');
    }
    expect((await fetch(`${url}/api/me`)).status).toBe(401);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    const wrong = await fetch(`${url}/login?token=nope`, {
      redirect: 'manual'
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).code).toBe('UNAUTHORIZED');
  });

  it('should sign in with the printed login URL and redirect to the lab', async () => {
    const { url, auth } = await startServer('local');
    expect(auth.loginUrl(url)).toBe(`${url}/login?token=local-secret-token`);
    const jar = new CookieJar();
    const res = await jar.fetch(auth.loginUrl(url));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/lab');
    const me = await (await jar.fetch(`${url}/api/me`)).json();
    expect(me.provider).toBe('local');
    expect(me.email).toMatch(/@jaxlab\.local$/);
  });

  it('should mark the cookie Secure only when served over TLS', async () => {
    const plain = await startServer('local');
    const res = await fetch(`${plain.url}/login?token=local-secret-token`, {
      redirect: 'manual'
    });
    expect(res.headers.getSetCookie().join('\n')).not.toMatch(/;\s*Secure/i);
    const proxied = await startServer('local', undefined, true);
    const tls = await fetch(`${proxied.url}/login?token=local-secret-token`, {
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https' }
    });
    expect(tls.status).toBe(302);
    expect(tls.headers.getSetCookie().join('\n')).toMatch(/;\s*Secure/i);
  });

  it('should accept the login token as a bearer token', async () => {
    const { url } = await startServer('local');
    const res = await fetch(`${url}/api/me`, {
      headers: { authorization: 'Bearer local-secret-token' }
    });
    expect(res.status).toBe(200);
    expect((await res.json()).provider).toBe('local');
  });
});

describe('createTokensRouter()', () => {
  it('should create a token shown once, authenticate with it and revoke it', async () => {
    const { url, store } = await startServer('local');
    const admin = {
      authorization: 'Bearer local-secret-token',
      'content-type': 'application/json'
    };
    const created = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'laptop' })
    });
    expect(created.status).toBe(201);
    const t = await created.json();
    expect(t.token).toMatch(/^jxl_[A-Za-z0-9_-]{43}$/);
    expect(t.name).toBe('laptop');

    const list = await (
      await fetch(`${url}/api/tokens`, { headers: admin })
    ).json();
    expect(list).toHaveLength(1);
    expect(list[0].token).toBeUndefined();
    expect(
      JSON.stringify(await store.accounts.listApiTokens(list[0].id))
    ).not.toContain(t.token);

    for (const scheme of ['Bearer', 'token']) {
      const me = await fetch(`${url}/api/me`, {
        headers: { authorization: `${scheme} ${t.token}` }
      });
      expect(me.status).toBe(200);
    }
    const del = await fetch(`${url}/api/tokens/${t.id}`, {
      method: 'DELETE',
      headers: admin
    });
    expect(del.status).toBe(204);
    const after = await fetch(`${url}/api/me`, {
      headers: { authorization: `Bearer ${t.token}` }
    });
    expect(after.status).toBe(401);
    expect((await after.json()).code).toBe('UNAUTHORIZED');
  });

  it('should reject a token request without a name', async () => {
    const { url } = await startServer('local');
    const res = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer local-secret-token',
        'content-type': 'application/json'
      },
      body: JSON.stringify({ nom: 'x' })
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('INVALID_REQUEST');
  });
});

describe('AccountsSessionStore', () => {
  it('should keep sessions in the database across server restarts, stored only hashed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jxl-ses-'));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    const boot = async () => {
      const store = await openStore({
        sqlite: { path: join(dir, 'jaxlab.db') }
      });
      const server = await startLabServer({
        store,
        auth: {
          localToken: 'tok',
          sessionSecret: 'fixed',
          onSignIn: async () => {}
        }
      });
      return {
        url: server.url,
        close: async () => {
          await server.close();
          await store.dispose();
        }
      };
    };
    const first = await boot();
    const jar = new CookieJar();
    await jar.fetch(`${first.url}/login?token=tok`);
    expect((await jar.fetch(`${first.url}/api/me`)).status).toBe(200);
    await first.close();

    const raw = await readFile(join(dir, 'jaxlab.db'));
    const sid = sessionIdOf(jar);
    expect(raw.includes(Buffer.from(sha256(sid)))).toBe(true);
    expect(raw.includes(Buffer.from(sid))).toBe(false);

    const second = await boot();
    closers.push(second.close);
    expect((await jar.fetch(`${second.url}/api/me`)).status).toBe(200);
  });
});

describe('createAuth() ?next=', () => {
  it('should return to a local path or an allowed origin after sign-in, never elsewhere', async () => {
    const server = await startLabServer({
      auth: { localToken: 'tok', onSignIn: async () => {} },
      allowedOrigins: ['http://127.0.0.1:8888']
    });
    closers.push(server.close);
    const cases: Array<[string, string]> = [
      ['/lab/tree', '/lab/tree'],
      ['http://127.0.0.1:8888/lab', 'http://127.0.0.1:8888/lab'],
      ['https://evil.example/x', '/lab'],
      ['//evil.example/x', '/lab'],
      ['/\\evil.example', '/lab']
    ];
    for (const [next, location] of cases) {
      const res = await fetch(
        `${server.url}/login?token=tok&next=${encodeURIComponent(next)}`,
        { redirect: 'manual' }
      );
      expect(res.status, next).toBe(302);
      expect(res.headers.get('location'), next).toBe(location);
    }
  });

  it('should carry ?next= through the Google redirect dance', async () => {
    const provider = new OAuthStandIn();
    await provider.start();
    closers.push(() => provider.stop());
    const { url } = await startServer('google', provider);
    const jar = new CookieJar();
    const start = await jar.fetch(
      `${url}/auth/google?next=${encodeURIComponent('/lab/tree/x')}`
    );
    const back = await fetch(start.headers.get('location')!, {
      redirect: 'manual'
    });
    const done = await jar.fetch(back.headers.get('location')!);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe('/lab/tree/x');
  });
});
