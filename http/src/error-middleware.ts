import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HttpError } from './http-error.js';

/** Options of {@link errorMiddleware}. */
export interface IErrorMiddlewareOptions {
  /** Where 5xx causes are logged (default: console.error). */
  log?: (message: string, error: unknown) => void;
}

/**
 * The single error handler of an app: renders every error as the
 * `ApiError` envelope `{reason, message, code, hint}` with the error's HTTP
 * status (see {@link HttpError.from}). Stacks and causes never reach the
 * client; 5xx causes are logged. After a streamed answer has started (an
 * SSE stream) it only lets express close the connection. Mount it last.
 *
 * @example
 * ```ts
 * app.use(notFoundMiddleware('See GET /api/openapi.json.'));
 * app.use(errorMiddleware({ log: (message, error) => logger.error(message, error) }));
 * ```
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
      next(err);
      return;
    }
    res.status(error.status).json(error.toApiError());
  };
}

/**
 * Answers 404 `NOT_FOUND` for any request no route took, with `hint`
 * saying where the endpoints are listed. Mount after every router and
 * before {@link errorMiddleware}.
 */
export function notFoundMiddleware(hint: string): RequestHandler {
  return (req, _res, next) => {
    next(
      new HttpError('NOT_FOUND', `No route for ${req.method} ${req.path}`, {
        hint
      })
    );
  };
}
