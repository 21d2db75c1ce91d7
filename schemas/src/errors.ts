/**
 * Stable error codes shared by every package. Tests assert on `code`, never
 * on message text; a code, once shipped, keeps its meaning.
 */
export const JAXLAB_ERROR_CODES = Object.freeze({
  // Requests
  INVALID_REQUEST: 'INVALID_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  // Kernels and the sandbox
  KERNEL_NOT_FOUND: 'KERNEL_NOT_FOUND',
  KERNEL_LIMIT_REACHED: 'KERNEL_LIMIT_REACHED',
  KERNEL_START_FAILED: 'KERNEL_START_FAILED',
  KERNEL_DEAD: 'KERNEL_DEAD',
  KERNEL_TIMEOUT: 'KERNEL_TIMEOUT',
  SANDBOX_UNAVAILABLE: 'SANDBOX_UNAVAILABLE',
  UNSAFE_PATH: 'UNSAFE_PATH',
  WIRE_PROTOCOL_VIOLATION: 'WIRE_PROTOCOL_VIOLATION',
  // Jobs, projects, review
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  JOB_FINISHED: 'JOB_FINISHED',
  PROJECT_NOT_FOUND: 'PROJECT_NOT_FOUND',
  REQUIREMENTS_REJECTED: 'REQUIREMENTS_REJECTED',
  PROJECT_FILE_REJECTED: 'PROJECT_FILE_REJECTED',
  LEASE_LOST: 'LEASE_LOST',
  AI_UNAVAILABLE: 'AI_UNAVAILABLE',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  // Artifacts and the data viewer
  ARTIFACT_NOT_FOUND: 'ARTIFACT_NOT_FOUND',
  ARTIFACT_DELETED: 'ARTIFACT_DELETED',
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  TABLE_UNSUPPORTED: 'TABLE_UNSUPPORTED',
  // Experiments
  JOB_NOT_FINISHED: 'JOB_NOT_FINISHED',
  BASELINE_NOT_FOUND: 'BASELINE_NOT_FOUND',
  SWEEP_NOT_FOUND: 'SWEEP_NOT_FOUND',
  SWEEP_FINISHED: 'SWEEP_FINISHED',
  // Clients (the lab extension): the server could not be reached, or its
  // answer breaks the contract.
  NETWORK_ERROR: 'NETWORK_ERROR',
  INVALID_RESPONSE: 'INVALID_RESPONSE'
} as const);

/** One of {@link JAXLAB_ERROR_CODES}. */
export type JaxLabErrorCode =
  (typeof JAXLAB_ERROR_CODES)[keyof typeof JAXLAB_ERROR_CODES];

/** HTTP status each code maps to when it reaches an HTTP edge. */
export const HTTP_STATUS_OF_CODE: Readonly<Record<JaxLabErrorCode, number>> =
  Object.freeze({
    INVALID_REQUEST: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    ORIGIN_NOT_ALLOWED: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    RATE_LIMITED: 429,
    INTERNAL: 500,
    KERNEL_NOT_FOUND: 404,
    KERNEL_LIMIT_REACHED: 403,
    KERNEL_START_FAILED: 500,
    KERNEL_DEAD: 409,
    KERNEL_TIMEOUT: 504,
    SANDBOX_UNAVAILABLE: 503,
    UNSAFE_PATH: 400,
    WIRE_PROTOCOL_VIOLATION: 502,
    JOB_NOT_FOUND: 404,
    JOB_FINISHED: 409,
    PROJECT_NOT_FOUND: 404,
    REQUIREMENTS_REJECTED: 400,
    PROJECT_FILE_REJECTED: 400,
    LEASE_LOST: 409,
    AI_UNAVAILABLE: 503,
    STORE_UNAVAILABLE: 503,
    ARTIFACT_NOT_FOUND: 404,
    ARTIFACT_DELETED: 410,
    RANGE_NOT_SATISFIABLE: 416,
    TABLE_UNSUPPORTED: 415,
    JOB_NOT_FINISHED: 409,
    BASELINE_NOT_FOUND: 404,
    SWEEP_NOT_FOUND: 404,
    SWEEP_FINISHED: 409,
    NETWORK_ERROR: 502,
    INVALID_RESPONSE: 502
  });

/**
 * What a user can do about each code when the thrower knows nothing more
 * specific: the `hint` of a {@link JaxLabError} made without one.
 */
export const JAXLAB_ERROR_HINTS: Readonly<Record<JaxLabErrorCode, string>> =
  Object.freeze({
    INVALID_REQUEST: 'Fix the request as the message says and send it again.',
    UNAUTHORIZED:
      'Sign in again, or send a valid API token as Authorization: Bearer <token>.',
    FORBIDDEN: 'Ask the owner or an administrator for access.',
    ORIGIN_NOT_ALLOWED:
      'Send the request from the lab itself, or add its origin to the allowed origins.',
    NOT_FOUND: 'Check the address; GET /api/openapi.json lists the endpoints.',
    CONFLICT: 'Reload to see the current state, then try again.',
    PAYLOAD_TOO_LARGE: 'Send a smaller body.',
    RATE_LIMITED: 'Wait a moment, then try again.',
    INTERNAL:
      'Try again; if it keeps happening, report it with the time of the request.',
    KERNEL_NOT_FOUND: 'List the running kernels with GET /api/kernels.',
    KERNEL_LIMIT_REACHED: 'Shut down a kernel you no longer use, then retry.',
    KERNEL_START_FAILED:
      'Try again; if it keeps failing, ask the host administrator to check the gateway log.',
    KERNEL_DEAD: 'Restart the kernel.',
    KERNEL_TIMEOUT: 'Interrupt or restart the kernel, then try again.',
    SANDBOX_UNAVAILABLE:
      'Ask the host administrator to install bubblewrap, or run the gateway with --unsafe-no-sandbox on a trusted machine.',
    UNSAFE_PATH: 'Use a relative path inside the project folder.',
    WIRE_PROTOCOL_VIOLATION: 'Restart the kernel.',
    JOB_NOT_FOUND: 'List your jobs with GET /api/jobs.',
    JOB_FINISHED: 'Only queued or running jobs can be changed.',
    PROJECT_NOT_FOUND: 'List your projects with GET /api/projects.',
    REQUIREMENTS_REJECTED:
      'Write one PEP 508 requirement per line: a project name, optional [extras], version specifiers and an optional `; marker`, e.g. `optax>=0.2,<0.3`.',
    PROJECT_FILE_REJECTED:
      'Name files like models.py or utils/data.py: a relative path of letters, digits, _ and -, at most 4 folders deep, ending .py, .md, .txt, .json, .yaml, .toml, .cfg, .ini or .csv.',
    LEASE_LOST: 'Nothing to do: another host owns the job now.',
    AI_UNAVAILABLE:
      'Set GEMINI_API_KEY on the server, or read the lint findings alone.',
    STORE_UNAVAILABLE:
      'Check that the database is running and reachable, then try again.',
    ARTIFACT_NOT_FOUND:
      "List the run's files with GET /api/jobs/{id}/artifacts.",
    ARTIFACT_DELETED:
      "The project's retention setting deleted the file's content; its name, size and sha256 stay listed. Re-run the job to make it again.",
    RANGE_NOT_SATISFIABLE:
      'Ask for a byte range inside the file (its size is in the listing).',
    TABLE_UNSUPPORTED:
      'The data viewer opens CSV, TSV, JSON lines (.jsonl), Parquet and .npy/.npz arrays of up to 2 dimensions; download other files instead.',
    JOB_NOT_FINISHED: 'Ask again once the run has finished.',
    BASELINE_NOT_FOUND:
      'Set a baseline with PUT /api/projects/{id}/baseline, or "Set as baseline" on a run.',
    SWEEP_NOT_FOUND: 'List your sweeps with GET /api/sweeps.',
    SWEEP_FINISHED: 'Start a new sweep; a finished one cannot be resumed.',
    NETWORK_ERROR:
      'Check the server URL in Settings → JAX TPU Lab and that the server is running.',
    INVALID_RESPONSE:
      'The server and this extension disagree on the API: install the extension that matches the server.'
  });

/** Options of {@link JaxLabError}. */
export interface IJaxLabErrorOptions {
  /** What the user can do about it, in one sentence (default: the code's {@link JAXLAB_ERROR_HINTS} entry). */
  hint?: string;
  /** The error this one wraps. */
  cause?: unknown;
  /** Extra machine-readable detail (e.g. schema validation errors). */
  details?: unknown;
}

/**
 * Base error of JAX TPU Lab: a stable `code`, a message saying what happened
 * and a `hint` saying what to do next.
 *
 * @example
 * ```ts
 * throw new JaxLabError('KERNEL_NOT_FOUND', `No kernel ${id}`, {
 *   hint: 'List kernels with GET /api/kernels.'
 * });
 * ```
 */
export class JaxLabError extends Error {
  readonly code: JaxLabErrorCode;
  readonly hint: string;
  readonly details: unknown;

  constructor(
    code: JaxLabErrorCode,
    message: string,
    options: IJaxLabErrorOptions = {}
  ) {
    super(message, { cause: options.cause });
    this.name = 'JaxLabError';
    this.code = code;
    this.hint = options.hint ?? JAXLAB_ERROR_HINTS[code] ?? '';
    this.details = options.details;
  }

  /** The HTTP status this error answers with at an HTTP edge. */
  get httpStatus(): number {
    return HTTP_STATUS_OF_CODE[this.code];
  }
}

/** Whether `value` is a {@link JaxLabError} (also across package copies). */
export function isJaxLabError(value: unknown): value is JaxLabError {
  if (value instanceof JaxLabError) return true;
  const code = (value as { code?: unknown } | null)?.code;
  return (
    value instanceof Error &&
    typeof code === 'string' &&
    Object.hasOwn(JAXLAB_ERROR_CODES, code)
  );
}
