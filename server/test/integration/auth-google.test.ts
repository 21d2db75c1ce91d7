import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import { startLabServer } from '../stand-ins/lab-server.js';
import { CookieJar } from '../stand-ins/cookie-jar.js';
import { OAuthStandIn } from '../stand-ins/oauth-stand-in.js';
import {
  closeAfterTest,
  closeServers,
  googleDance,
  sessionIdOf,
  sha256,
  startServer
} from './sign-in.js';

afterEach(closeServers);

describe('createAuth() google mode', () => {
  let provider: OAuthStandIn;
  beforeEach(async () => {
    provider = new OAuthStandIn();
    await provider.start();
    closeAfterTest(() => provider.stop());
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
        google: provider.googleOptions()
      }
    });
    closeAfterTest(async () => {
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
    closeAfterTest(async () => {
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

describe('createAuth() ?next=', () => {
  it('should return to a local path or an allowed origin after sign-in, never elsewhere', async () => {
    const server = await startLabServer({
      auth: { localToken: 'tok', onSignIn: async () => {} },
      allowedOrigins: ['http://127.0.0.1:8888']
    });
    closeAfterTest(server.close);
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
    closeAfterTest(() => provider.stop());
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
