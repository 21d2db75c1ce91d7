import { STATUS_CODES } from 'node:http';

import type { ErrorRequestHandler, RequestHandler } from 'express';

import { JaxLabError, isJaxLabError } from '@jaxlab/schemas';
import type { JaxLabErrorCode } from '@jaxlab/schemas';

/** The JSON error envelope every failing request answers with. */
export interface IErrorBody {
  reason: string;
  message: string;
  code: JaxLabErrorCode;
  hint?: string;
}

/** The status and body of an error, as jupyter_server's `write_error` shapes it. */
export function errorResponse(error: unknown): {
  status: number;
  body: IErrorBody;
} {
  const jaxlab = toJaxLabError(error);
  const status = jaxlab.httpStatus;
  return {
    status,
    body: {
      reason: STATUS_CODES[status] ?? 'Error',
      message: jaxlab.message,
      code: jaxlab.code,
      ...(jaxlab.hint ? { hint: jaxlab.hint } : {})
    }
  };
}

function toJaxLabError(error: unknown): JaxLabError {
  if (isJaxLabError(error)) return error;
  const e = error as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large' || e?.status === 413) {
    return new JaxLabError(
      'PAYLOAD_TOO_LARGE',
      'The request body is too large',
      {
        hint: 'Send a smaller body.'
      }
    );
  }
  if (e?.status === 400 || e?.type === 'entity.parse.failed') {
    return new JaxLabError(
      'INVALID_REQUEST',
      `Bad request body: ${e.message ?? ''}`,
      {
        hint: 'Send valid JSON with Content-Type: application/json.'
      }
    );
  }
  return new JaxLabError('INTERNAL', 'Internal error', { cause: error });
}

/** The single express error middleware: renders `{reason, message, code, hint}`. */
export function errorMiddleware(
  log?: (line: string) => void
): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = errorResponse(error);
    if (status >= 500) {
      log?.(
        `${req.method} ${req.path} failed: ${String((error as Error)?.stack ?? error)}`
      );
    }
    res.status(status).json(body);
  };
}

/** Answers unknown routes with a JSON 404. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(
    new JaxLabError(
      'NOT_FOUND',
      `No such endpoint: ${req.method} ${req.path}`,
      {
        hint: 'See the Jupyter kernel REST API: /api/kernels, /api/kernelspecs, /api/sessions.'
      }
    )
  );
};
