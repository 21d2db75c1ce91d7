import type { Request, RequestHandler } from 'express';
import { JaxLabError } from '@jaxlab/schemas';
import { bearerSecret } from '../auth/token-secret.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence: a state-changing request (not GET/HEAD/OPTIONS) that
 * carries cookies and no bearer credentials must come from an allowed
 * Origin (or, without Origin, Referer): one of `allowedOrigins` or the
 * server's own origin. Otherwise 403 `ORIGIN_NOT_ALLOWED`. Bearer-token
 * requests are exempt: a browser cannot attach them cross-site.
 */
export function createOriginCheck(
  allowedOrigins: readonly string[]
): RequestHandler {
  const allowed = new Set(allowedOrigins.map(normalizeOrigin));
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    if (bearerSecret(req.headers.authorization) !== undefined) return next();
    if (!req.headers.cookie) return next();
    const origin = requestOrigin(req);
    if (origin && (allowed.has(origin) || origin === ownOrigin(req)))
      return next();
    next(
      new JaxLabError(
        'ORIGIN_NOT_ALLOWED',
        origin
          ? `Requests that change data are not accepted from ${origin}`
          : 'Requests that change data with a session cookie must say where they come from (Origin header)',
        {
          hint: 'Use the lab from an allowed origin (JAXLAB_ALLOWED_ORIGINS), or authenticate programs with an API token.'
        }
      )
    );
  };
}

function requestOrigin(req: Request): string | undefined {
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return normalizeOrigin(origin);
  const referer = req.headers.referer;
  if (referer) {
    try {
      return new URL(referer).origin;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function ownOrigin(req: Request): string | undefined {
  const host = req.headers.host;
  return host ? `${req.protocol}://${host}`.toLowerCase() : undefined;
}

/** `https://Example.com:443/` → `https://example.com`. */
export function normalizeOrigin(origin: string): string {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return origin.toLowerCase();
  }
}
