import { STATUS_CODES } from 'node:http';
import type {
  ApiError,
  IJaxLabErrorOptions,
  JaxLabErrorCode
} from '@jaxlab/schemas';
import { JaxLabError, isJaxLabError } from '@jaxlab/schemas';

/**
 * The one error an HTTP edge answers with: a {@link JaxLabError} code plus
 * the HTTP status to send (the code's own status unless given), rendered
 * as the `ApiError` envelope `{reason, message, code, hint}` that
 * `@jupyterlab/services` parses (jupyter_server's `write_error` shape).
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
   * The envelope sent to the client. `details` goes out only with a 4xx
   * (a client's mistake); nothing of a 5xx's cause ever does.
   */
  toApiError(): ApiError {
    const body: ApiError = {
      reason: this.reason,
      message: this.message,
      code: this.code
    };
    if (this.hint !== undefined) body.hint = this.hint;
    if (this.details !== undefined && this.status < 500)
      body.details = this.details;
    return body;
  }

  /**
   * Turns anything thrown by a route or middleware into an HttpError:
   * a JaxLabError keeps its code, hint and status; the 4xx refusals of
   * body-parser and express (errors with a `status`) become 413
   * `PAYLOAD_TOO_LARGE` or `INVALID_REQUEST` with their status;
   * anything else is a 500 `INTERNAL` whose message reveals nothing of the
   * cause.
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
    const refusal = clientRefusal(error);
    if (refusal) return fromClientRefusal(refusal, error);
    return new HttpError('INTERNAL', 'Internal server error', {
      hint: 'Try again; if it keeps happening, report it with the time of the request.',
      cause: error
    });
  }
}

/** What a 4xx refusal of body-parser or express says about itself. */
interface IClientRefusal {
  status: number;
  type: string | undefined;
  message: string;
  limit: number | undefined;
}

function clientRefusal(error: unknown): IClientRefusal | undefined {
  if (!(error instanceof Error)) return undefined;
  const e = error as Error & {
    status?: unknown;
    expose?: unknown;
    type?: unknown;
    limit?: unknown;
  };
  if (typeof e.status !== 'number' || e.status < 400 || e.status > 499)
    return undefined;
  // http-errors marks messages safe to show with `expose`; express's own
  // URIError names only the parameter the client sent.
  const isShowable = e.expose === true || error instanceof URIError;
  return {
    status: e.status,
    type: typeof e.type === 'string' ? e.type : undefined,
    message: isShowable ? e.message : 'The request could not be read',
    limit: typeof e.limit === 'number' ? e.limit : undefined
  };
}

function fromClientRefusal(r: IClientRefusal, cause: unknown): HttpError {
  if (r.status === 413) {
    return new HttpError(
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than the limit${r.limit ? ` of ${r.limit} bytes` : ''}`,
      {
        hint: 'Send a smaller body (code and requirements have size limits).',
        cause
      }
    );
  }
  if (r.type === 'entity.parse.failed') {
    return new HttpError(
      'INVALID_REQUEST',
      'The request body is not valid JSON',
      {
        hint: 'Send a JSON body with Content-Type: application/json.',
        cause
      }
    );
  }
  if (r.type !== undefined) {
    // Other body-parser refusals: charset, encoding, aborted or short body.
    return new HttpError(
      'INVALID_REQUEST',
      `The request body could not be read (${r.type})`,
      {
        hint: 'Send an uncompressed UTF-8 JSON body.',
        cause,
        status: r.status === 415 ? 415 : 400
      }
    );
  }
  // express's own refusals, e.g. a path parameter that is not valid %-encoding.
  return new HttpError('INVALID_REQUEST', r.message, {
    hint: 'Check the request line: path, query and headers.',
    cause,
    status: r.status
  });
}
