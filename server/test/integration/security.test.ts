import { afterEach, describe, expect, it } from 'vitest';
import { startLabServer } from '../stand-ins/lab-server.js';
import { CookieJar } from '../stand-ins/cookie-jar.js';

const LAB = 'http://127.0.0.1:8888';
let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

async function startServer(clock = { now: 0 }) {
  const lab = await startLabServer({
    auth: { localToken: 'tok', onSignIn: async () => {} },
    allowedOrigins: [LAB],
    config: { bodyLimitBytes: 64 * 1024 },
    rateLimits: {
      jobs: { capacity: 3, refillPerMinute: 6, now: () => clock.now }
    }
  });
  closers.push(lab.close);
  const jar = new CookieJar();
  await jar.fetch(`${lab.url}/login?token=tok`);
  return { url: lab.url, jar, store: lab.store };
}

const json = { 'content-type': 'application/json' };

describe('createOriginCheck()', () => {
  it('should refuse a cookie-authenticated change from another origin', async () => {
    const { url, jar } = await startServer();
    const res = await jar.fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'x' })
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('ORIGIN_NOT_ALLOWED');
    expect(await (await jar.fetch(`${url}/api/projects`)).json()).toHaveLength(
      0
    );
  });

  it('should refuse a cookie-authenticated change without Origin or Referer', async () => {
    const { url, jar } = await startServer();
    const res = await jar.fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: json,
      body: '{"name":"x"}'
    });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('should accept changes from the lab origin, the same origin and bearer tokens', async () => {
    const { url, jar } = await startServer();
    for (const origin of [LAB, url]) {
      const res = await jar.fetch(`${url}/api/projects`, {
        method: 'POST',
        headers: { ...json, origin },
        body: JSON.stringify({ name: origin })
      });
      expect(res.status).toBe(201);
    }
    const bearer = await fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: {
        ...json,
        origin: 'https://evil.example',
        authorization: 'Bearer tok'
      },
      body: JSON.stringify({ name: 'program' })
    });
    expect(bearer.status).toBe(201);
  });
});

describe('securityMiddleware() CORS', () => {
  it('should allow only configured origins, with credentials', async () => {
    const { url } = await startServer();
    const pre = (origin: string) =>
      fetch(`${url}/api/projects`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type'
        }
      });
    const ok = await pre(LAB);
    expect(ok.headers.get('access-control-allow-origin')).toBe(LAB);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    // The lab writes a project's files with PUT.
    const put = await fetch(`${url}/api/projects/p/files/models.py`, {
      method: 'OPTIONS',
      headers: {
        origin: LAB,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type'
      }
    });
    expect(put.headers.get('access-control-allow-methods')).toContain('PUT');
    const evil = await pre('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${url}/api/health`, {
      headers: { origin: 'https://evil.example' }
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('securityMiddleware() limits and headers', () => {
  it('should answer 413 PAYLOAD_TOO_LARGE for a body over the limit', async () => {
    const { url } = await startServer();
    const res = await fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer tok' },
      body: JSON.stringify({ name: 'big', mainPy: 'x'.repeat(100 * 1024) })
    });
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.message).toContain('65536');
  });

  it('should answer 400 for malformed JSON', async () => {
    const { url } = await startServer();
    const res = await fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer tok' },
      body: '{"name":'
    });
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('INVALID_REQUEST');
  });

  it('should set security headers with a strict CSP', async () => {
    const { url } = await startServer();
    const res = await fetch(`${url}/api/health`);
    expect(res.headers.get('content-security-policy')).toContain(
      "default-src 'none'"
    );
    expect(res.headers.get('content-security-policy')).toContain(
      "frame-ancestors 'none'"
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('createJobRateLimit()', () => {
  it('should answer 429 RATE_LIMITED with Retry-After, then recover', async () => {
    const clock = { now: 0 };
    const { url } = await startServer(clock);
    const post = (auth: string) =>
      fetch(`${url}/api/jobs`, {
        method: 'POST',
        headers: { ...json, authorization: auth },
        body: JSON.stringify({ code: 'def main():\n    pass\n' })
      });
    for (let i = 0; i < 3; i++)
      expect((await post('Bearer tok')).status).toBe(202);
    const limited = await post('Bearer tok');
    expect(limited.status).toBe(429);
    expect((await limited.json()).code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('10');
    clock.now += 10_000;
    expect((await post('Bearer tok')).status).toBe(202);
  });
});
