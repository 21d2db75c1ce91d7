import express from 'express';
import type { RequestHandler } from 'express';
import { JaxLabError } from '@jaxlab/schemas';

/** Default largest request body: 2 MiB (main.py may be up to 1 MB). */
export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Parses JSON bodies up to `maxBytes`; a larger body answers 413
 * `PAYLOAD_TOO_LARGE` and malformed JSON 400 `INVALID_REQUEST`, both in the
 * error envelope. Later body parsers see the body as already parsed.
 */
export function createJsonBody(
  maxBytes = DEFAULT_MAX_BODY_BYTES
): RequestHandler {
  const parse = express.json({ limit: maxBytes });
  return (req, res, next) => {
    parse(req, res, err => {
      if (!err) return next();
      const type = (err as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(
          new JaxLabError(
            'PAYLOAD_TOO_LARGE',
            `Request body is larger than ${maxBytes} bytes`,
            {
              hint: 'Send a smaller body: main.py is limited to 1 MB and requirements.txt to 100 kB.',
              cause: err
            }
          )
        );
      }
      if (type === 'entity.parse.failed') {
        return next(
          new JaxLabError('INVALID_REQUEST', 'Request body is not valid JSON', {
            hint: 'Send a JSON object with Content-Type: application/json.',
            cause: err
          })
        );
      }
      next(
        new JaxLabError(
          'INVALID_REQUEST',
          `Request body could not be read: ${(err as Error).message}`,
          {
            cause: err
          }
        )
      );
    });
  };
}
