import express from 'express';
import type { RequestHandler } from 'express';

/** Default size limit of JSON request bodies: 2 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/**
 * Parses JSON bodies of at most `limitBytes` (larger ones fail with 413
 * `PAYLOAD_TOO_LARGE`, malformed ones with 400 `INVALID_REQUEST` through
 * the error middleware). Bodies of other types are left unparsed.
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
