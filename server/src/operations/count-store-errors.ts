import type { ErrorRequestHandler } from 'express';
import { HttpError } from '@jaxlab/http';

/**
 * Counts requests that failed because the store did not answer (its
 * `STORE_UNAVAILABLE`, or a driver error the envelope turns into one), then
 * hands the error on to the error middleware.
 */
export function countStoreErrors(count: () => void): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    const name = (error as { name?: unknown } | null)?.name;
    if (
      HttpError.from(error).code === 'STORE_UNAVAILABLE' ||
      (typeof name === 'string' && name.startsWith('Mongo'))
    )
      count();
    next(error);
  };
}
