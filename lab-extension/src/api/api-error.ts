import type { JaxLabErrorCode } from '@jaxlab/schemas/contract';
import {
  HTTP_STATUS_OF_CODE,
  JAXLAB_ERROR_CODES,
  JaxLabError,
  hasShape
} from '@jaxlab/schemas/contract';

/**
 * Turn a failed HTTP response into a {@link JaxLabError} with the server's
 * envelope `{reason, message, code, hint}`. An answer that is not the
 * envelope (a proxy's error page, a server too old or too new to know a
 * code) gets the code of its HTTP status, so callers can always branch on
 * `code`.
 */
export async function errorFromResponse(
  response: Response
): Promise<JaxLabError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON: keep the status line.
  }
  if (hasShape('api-error', body) && isKnownCode(body.code)) {
    return new JaxLabError(body.code, body.message, {
      hint: body.hint,
      details: body.details
    });
  }
  const code = codeOfStatus(response.status);
  return new JaxLabError(
    code,
    `${response.status} ${response.statusText}`.trim()
  );
}

/** The error of a request that never got an answer. */
export function networkError(what: string, cause: unknown): JaxLabError {
  return new JaxLabError('NETWORK_ERROR', what, { cause });
}

/** The error of an answer that breaks the API's schema. */
export function invalidResponse(what: string, problems: string[]): JaxLabError {
  return new JaxLabError(
    'INVALID_RESPONSE',
    `${what}: ${problems.slice(0, 3).join('; ')}`,
    { details: problems }
  );
}

function isKnownCode(code: string): code is JaxLabErrorCode {
  return Object.hasOwn(JAXLAB_ERROR_CODES, code);
}

/** The generic code whose HTTP status is `status`; INTERNAL for the rest. */
function codeOfStatus(status: number): JaxLabErrorCode {
  for (const code of GENERIC_CODES) {
    if (HTTP_STATUS_OF_CODE[code] === status) {
      return code;
    }
  }
  return 'INTERNAL';
}

const GENERIC_CODES: readonly JaxLabErrorCode[] = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED'
];
