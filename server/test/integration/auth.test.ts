import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '@jaxlab/store';
import { startLabServer } from '../stand-ins/lab-server.js';
import { CookieJar } from '../stand-ins/cookie-jar.js';
import {
  closeAfterTest,
  closeServers,
  sessionIdOf,
  sha256,
  startServer
} from './sign-in.js';

afterEach(closeServers);

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
    closeAfterTest(() => rm(dir, { recursive: true, force: true }));
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
    closeAfterTest(second.close);
    expect((await jar.fetch(`${second.url}/api/me`)).status).toBe(200);
  });
});
