import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { createOriginCheck, normalizeOrigin } from './origin-check.js';

/** Options of {@link securityMiddleware}. */
export interface ISecurityOptions {
  /**
   * Origins (scheme://host:port) of browsers allowed to call the API with
   * credentials, e.g. the JupyterLab at `http://127.0.0.1:8888`.
   */
  allowedOrigins?: readonly string[];
  /** Send Strict-Transport-Security (when served over TLS). */
  hsts?: boolean;
}

/**
 * The security stack, in order: headers (helmet, with a CSP for a JSON
 * API), CORS for the configured origins only, and the Origin check for
 * cookie-authenticated state changes. Mount before everything else.
 *
 * @example
 * ```ts
 * for (const handler of securityMiddleware({ allowedOrigins: ['http://127.0.0.1:8888'] }))
 *   app.use(handler);
 * ```
 */
export function securityMiddleware(
  options: ISecurityOptions = {}
): RequestHandler[] {
  const allowed = new Set((options.allowedOrigins ?? []).map(normalizeOrigin));
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'none'"]
        }
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
      hsts: options.hsts ? { maxAge: 15552000 } : false
    }),
    cors({
      origin: (origin, callback) =>
        callback(
          null,
          origin !== undefined && allowed.has(normalizeOrigin(origin))
        ),
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Last-Event-ID',
        'Accept'
      ],
      exposedHeaders: ['Retry-After'],
      maxAge: 600
    }),
    createOriginCheck([...allowed])
  ];
}
