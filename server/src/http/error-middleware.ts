import type { ApiError } from '@jaxlab/schemas';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** Options of {@link errorMiddleware}. */
export interface IErrorMiddlewareOptions {
  /** Where 5xx causes are logged (default: console.error). */
  log?: (message: string, error: unknown) => void;
}

/**
 * The single error handler of the app: renders every error as the envelope
 * `{reason, message, code, hint}` with the error's HTTP status (see
 * {@link HttpError.from}). Stacks and causes never reach the client; 5xx
 * causes are logged. After a streamed answer has started it only ends the
 * response.
 */
export function errorMiddleware(
  options: IErrorMiddlewareOptions = {}
): ErrorRequestHandler {
  const log =
    options.log ?? ((message, error) => console.error(message, error));
  return (err, req, res, next) => {
    const error = HttpError.from(err);
    if (error.status >= 500) {
      log(`${req.method} ${req.originalUrl} failed:`, error.cause ?? error);
    }
    if (res.headersSent) {
      // Too late for an envelope (e.g. an SSE stream): let express close it.
      next(err);
      return;
    }
    const body: ApiError = {
      reason: error.reason,
      message: error.message,
      code: error.code
    };
    if (error.hint !== undefined) body.hint = error.hint;
    if (error.details !== undefined && error.status < 500)
      body.details = error.details;
    res.status(error.status).json(body);
  };
}

/**
 * Answers 404 `NOT_FOUND` for any request no route took; mount after every
 * router and before {@link errorMiddleware}.
 */
export function notFoundMiddleware(): RequestHandler {
  return (req, _res, next) => {
    next(
      new HttpError('NOT_FOUND', `No route for ${req.method} ${req.path}`, {
        hint: 'See GET /api/openapi.json for the endpoints of this server.'
      })
    );
  };
}
