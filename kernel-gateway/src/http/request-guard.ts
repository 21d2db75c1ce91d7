import type { IncomingMessage } from 'node:http';

import type { RequestHandler, Response } from 'express';

import { JaxLabError } from '@jaxlab/schemas';

import type { Caller, CredentialResolver } from './credentials.js';

/** Options of the credential and Origin checks. */
export interface IRequestGuardOptions {
  /** Resolves the presented token into the operator or a user. */
  credentials: CredentialResolver;
  /** Origins allowed besides the gateway's own host; `*` allows any. */
  allowOrigins: readonly string[];
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
 * Whether the request's Origin (if any) may act on the gateway: absent
 * (not a browser), the gateway's own host, or in the allow-list.
 */
export function isOriginAllowed(
  req: IncomingMessage,
  options: Pick<IRequestGuardOptions, 'allowOrigins'>
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

/**
 * Who `req` comes from, after checking its credential and Origin. `?token=`
 * counts only on upgrades (browsers cannot give a WebSocket headers).
 *
 * @throws JaxLabError `UNAUTHORIZED` (no, unknown or revoked credential) or
 *   `ORIGIN_NOT_ALLOWED`.
 */
export async function authorizeRequest(
  req: IncomingMessage,
  options: IRequestGuardOptions,
  isUpgrade: boolean
): Promise<Caller> {
  const caller = await options.credentials.resolve(
    presentedToken(req, isUpgrade)
  );
  if (!caller) {
    throw new JaxLabError('UNAUTHORIZED', 'Missing, unknown or revoked token', {
      hint: options.credentials.acceptsUsers
        ? 'Send Authorization: token <t> (or ?token= on WebSocket URLs) with the gateway token or your lab credential; a revoked credential needs a new one (restart your server from the hub).'
        : 'Send Authorization: token <token> (or ?token= on WebSocket URLs).'
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
  return caller;
}

/** The caller {@link requestGuard} identified for this request. */
export function callerOf(res: Response): Caller {
  return (res.locals as { caller: Caller }).caller;
}

/** Express middleware running {@link authorizeRequest}; read the result with {@link callerOf}. */
export function requestGuard(options: IRequestGuardOptions): RequestHandler {
  return async (req, res, next) => {
    (res.locals as { caller: Caller }).caller = await authorizeRequest(
      req,
      options,
      false
    );
    next();
  };
}
