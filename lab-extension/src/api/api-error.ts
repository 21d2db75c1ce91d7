import type { JaxLabErrorCode } from '@jaxlab/schemas/contract';
import {
  HTTP_STATUS_OF_CODE,
  JAXLAB_ERROR_CODES,
  JaxLabError,
  hasShape
} from '@jaxlab/schemas/contract';

/**
 * Turn a failed HTTP response into a {@link JaxLabError} with the server's
 * envelope `{reason, message, code, hint}`. A code this extension does not
 * know (a newer server's) and an answer that is not the envelope (a proxy's
 * error page) get the generic code of the HTTP status, so callers can
 * always branch on `code`.
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
  const status = response.status;
  if (hasShape('api-error', body)) {
    const code = isKnownCode(body.code) ? body.code : codeOfStatus(status);
    return new JaxLabError(code, body.message, {
      hint: body.hint,
      details: body.details
    });
  }
  return new JaxLabError(
    codeOfStatus(status),
    `${status} ${response.statusText}`.trim()
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
