import { STATUS_CODES } from 'node:http';
import type { IJaxLabErrorOptions, JaxLabErrorCode } from '@jaxlab/schemas';
import { JaxLabError, isJaxLabError } from '@jaxlab/schemas';

/**
 * The one error an HTTP edge answers with: a {@link JaxLabError} code plus
 * the HTTP status to send (the code's own status unless given).
 *
 * @example
 * ```ts
 * throw new HttpError('JOB_NOT_FOUND', `No job ${id}`, { hint: 'List jobs with GET /api/jobs.' });
 * ```
 */
export class HttpError extends JaxLabError {
  /** The HTTP status the error middleware sends. */
  readonly status: number;

  constructor(
    code: JaxLabErrorCode,
    message: string,
    options: IJaxLabErrorOptions & { status?: number } = {}
  ) {
    super(code, message, options);
    this.name = 'HttpError';
    this.status = options.status ?? super.httpStatus;
  }

  /** Same as {@link HttpError.status}. */
  override get httpStatus(): number {
    return this.status;
  }

  /** The HTTP reason phrase of {@link HttpError.status}. */
  get reason(): string | null {
    return STATUS_CODES[this.status] ?? null;
  }

  /**
   * Turns anything thrown by a route or middleware into an HttpError:
   * a JaxLabError keeps its code and status; body-parser's errors become
   * 413 `PAYLOAD_TOO_LARGE` or 400 `INVALID_REQUEST`; anything else is a
   * 500 `INTERNAL` whose message reveals nothing of the cause.
   */
  static from(error: unknown): HttpError {
    if (error instanceof HttpError) return error;
    if (isJaxLabError(error)) {
      return new HttpError(error.code, error.message, {
        hint: error.hint,
        details: error.details,
        cause: error,
        status: error.httpStatus
      });
    }
    const type = (error as { type?: unknown } | null)?.type;
    const status = (error as { status?: unknown } | null)?.status;
    if (type === 'entity.too.large') {
      const limit = (error as { limit?: number }).limit;
      return new HttpError(
        'PAYLOAD_TOO_LARGE',
        `The request body is larger than the limit${limit ? ` of ${limit} bytes` : ''}`,
        {
          hint: 'Send a smaller body (code and requirements have size limits).',
          cause: error
        }
      );
    }
    if (type === 'entity.parse.failed') {
      return new HttpError(
        'INVALID_REQUEST',
        'The request body is not valid JSON',
        {
          hint: 'Send a JSON body with Content-Type: application/json.',
          cause: error
        }
      );
    }
    if (
      typeof type === 'string' &&
      typeof status === 'number' &&
      status >= 400 &&
      status < 500
    ) {
      // Other body-parser refusals: unsupported charset or encoding, aborted body.
      return new HttpError(
        'INVALID_REQUEST',
        `The request body could not be read (${type})`,
        {
          hint: 'Send an uncompressed UTF-8 JSON body.',
          cause: error,
          status: status === 415 ? 415 : 400
        }
      );
    }
    return new HttpError('INTERNAL', 'Internal server error', {
      hint: 'Try again; if it keeps happening, report it with the time of the request.',
      cause: error
    });
  }
}
