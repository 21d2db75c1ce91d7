// Sign-in helpers of the auth tests: lab servers closed after each test,
// the Google stand-in dance, and the session cookie's stored id.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { CookieJar } from '../stand-ins/cookie-jar.js';
import type { OAuthStandIn } from '../stand-ins/oauth-stand-in.js';

let closers: Array<() => Promise<void>> = [];

/** Runs `close` after the current test (closeServers). */
export function closeAfterTest(close: () => Promise<void>): void {
  closers.push(close);
}

/** Stops what was started since the last call, last first (an afterEach). */
export async function closeServers(): Promise<void> {
  for (const c of closers.reverse()) await c();
  closers = [];
}

/** A lab server (stand-in store) in the given sign-in mode; closed by closeServers(). */
export async function startServer(
  mode: 'google' | 'local',
  provider?: OAuthStandIn,
  trustProxy = false
) {
  const server = await startLabServer({
    config: { trustProxy },
    auth: {
      mode,
      localToken: mode === 'local' ? 'local-secret-token' : undefined,
      google: provider?.googleOptions()
    }
  });
  closeAfterTest(server.close);
  return { store: server.store, url: server.url, auth: server.lab.auth };
}

/** SHA-256 (hex): sessions are stored under this of the cookie's id. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The session id inside the signed `jaxlab.sid` cookie (`s:<id>.<signature>`). */
export function sessionIdOf(jar: CookieJar): string {
  return decodeURIComponent(jar.header().split('=')[1]).slice(2).split('.')[0];
}

/** Signs `jar` in through the Google stand-in: /auth/google, the provider, the callback. */
export async function googleDance(
  url: string,
  jar: CookieJar
): Promise<Response> {
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
