import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { RequestHandler } from 'express';

import { JaxLabError } from '@jaxlab/schemas';

/** Options of the token and Origin checks. */
export interface IRequestGuardOptions {
  /** The gateway's token; empty disables token auth (local tests only). */
  token: string;
  /** Origins allowed besides the gateway's own host; `*` allows any. */
  allowOrigins: readonly string[];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token a request presents: `Authorization: token|bearer <t>`, or `?token=`. */
export function presentedToken(
  req: IncomingMessage,
  isQueryAllowed: boolean
): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
    if (match) return match[2];
  }
  if (isQueryAllowed) {
    const url = new URL(req.url ?? '/', 'http://gateway');
    return url.searchParams.get('token') ?? undefined;
  }
  return undefined;
}

/**
 * Whether `req` carries the gateway's token (compared in constant time).
 * `?token=` counts only where `isQueryAllowed` (WebSocket upgrades, which
 * browsers cannot give headers).
 */
export function isAuthorized(
  req: IncomingMessage,
  options: IRequestGuardOptions,
  isQueryAllowed: boolean
): boolean {
  if (options.token === '') return true;
  const token = presentedToken(req, isQueryAllowed);
  return (
    token !== undefined && timingSafeEqual(digest(token), digest(options.token))
  );
}

/**
 * Whether the request's Origin (if any) may act on the gateway: absent
 * (not a browser), the gateway's own host, or in the allow-list.
 */
export function isOriginAllowed(
  req: IncomingMessage,
  options: IRequestGuardOptions
): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (
    options.allowOrigins.includes('*') ||
    options.allowOrigins.includes(origin)
  )
    return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** @throws JaxLabError `UNAUTHORIZED` or `ORIGIN_NOT_ALLOWED` when a check fails. */
export function assertRequestAllowed(
  req: IncomingMessage,
  options: IRequestGuardOptions,
  isUpgrade: boolean
): void {
  if (!isAuthorized(req, options, isUpgrade)) {
    throw new JaxLabError('UNAUTHORIZED', 'Missing or wrong token', {
      hint: 'Send Authorization: token <token> (or ?token= on WebSocket URLs).'
    });
  }
  const isStateChanging =
    isUpgrade || !['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET');
  if (isStateChanging && !isOriginAllowed(req, options)) {
    throw new JaxLabError(
      'ORIGIN_NOT_ALLOWED',
      `Origin ${req.headers.origin} is not allowed`,
      {
        hint: 'Start the gateway with --allow-origin <origin> to allow it.'
      }
    );
  }
}

/** Express middleware running {@link assertRequestAllowed} on every request. */
export function requestGuard(options: IRequestGuardOptions): RequestHandler {
  return (req, _res, next) => {
    assertRequestAllowed(req, options, false);
    next();
  };
}
