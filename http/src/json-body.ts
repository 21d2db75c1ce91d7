import express from 'express';
import type { RequestHandler } from 'express';

/** Default size limit of JSON request bodies: 2 MiB (main.py may be up to 1 MB). */
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Parses JSON bodies (`application/json`, `application/*+json`) of at most
 * `limitBytes` into `req.body`; mount it once, before the routers. A larger
 * body fails with 413 `PAYLOAD_TOO_LARGE`, malformed JSON with 400
 * `INVALID_REQUEST`, both through the error middleware. Bodies of other
 * types are left unread for a route's own parser.
 */
export function jsonBody(
  limitBytes: number = DEFAULT_BODY_LIMIT_BYTES
): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: true,
    type: ['application/json', 'application/*+json']
  });
}
