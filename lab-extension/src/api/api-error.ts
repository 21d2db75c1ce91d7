/**
 * Error of a call to the JAX TPU Lab server: the server's stable `code`
 * (`JAXLAB_ERROR_CODES`), the HTTP status and a `hint` a user can act on.
 *
 * The extension cannot import `JaxLabError` at run time (it would bundle the
 * validators), so it mirrors its shape here.
 */
export class ApiError extends Error {
  /**
   * Make an error.
   *
   * @param code - stable code, e.g. `UNAUTHORIZED`, `NETWORK_ERROR`.
   * @param message - what happened.
   * @param options - HTTP status, hint and cause.
   */
  constructor(
    code: string,
    message: string,
    options: { status?: number; hint?: string; cause?: unknown } = {}
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? 0;
    this.hint = options.hint ?? '';
  }

  /** Stable error code; tests and callers branch on it, never on text. */
  readonly code: string;
  /** HTTP status, 0 when the request never got an answer. */
  readonly status: number;
  /** What the user can do about it. */
  readonly hint: string;
}

/** Code of an error raised when the server could not be reached at all. */
export const NETWORK_ERROR = 'NETWORK_ERROR';

/**
 * Turn a failed HTTP response into an {@link ApiError}, reading the
 * server's `{reason, message, code, hint}` envelope when there is one.
 */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: {
    message?: string;
    code?: string;
    hint?: string;
    reason?: string;
  } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: keep the status line.
  }
  const code = body.code ?? codeOfStatus(response.status);
  return new ApiError(
    code,
    body.message ??
      `${response.status} ${response.statusText || body.reason || ''}`.trim(),
    { status: response.status, hint: body.hint }
  );
}

function codeOfStatus(status: number): string {
  switch (status) {
    case 400:
      return 'INVALID_REQUEST';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    default:
      return 'INTERNAL';
  }
}
