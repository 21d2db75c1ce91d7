import { componentRef } from './schema-components.js';
import type { JsonSchema } from './schema-components.js';

/** An OpenAPI 3.1 Paths Object: path template → Path Item (methods → operations). */
export type OpenApiPaths = Record<string, Record<string, unknown>>;

/** A JSON response of an operation, its schema a component name or an inline schema. */
export function jsonResponse(
  description: string,
  schema: string | JsonSchema,
  headers?: Record<string, unknown>
): Record<string, unknown> {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: {
      'application/json': {
        schema: typeof schema === 'string' ? componentRef(schema) : schema
      }
    }
  };
}

/** A JSON request body whose schema is a component. */
export function jsonRequestBody(
  schema: string,
  required = true
): Record<string, unknown> {
  return {
    required,
    content: { 'application/json': { schema: componentRef(schema) } }
  };
}

/**
 * The error responses of an operation, each an `ApiError` envelope: the
 * statuses given plus `default`, so any other status the server may answer
 * (401, 413, 429, 500) still has a documented shape.
 */
export function errorResponses(...statuses: number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const status of statuses)
    out[String(status)] = jsonResponse(
      ERROR_TEXT[status] ?? 'Error',
      'ApiError'
    );
  out.default = jsonResponse(
    'Error envelope {reason, message, code, hint}',
    'ApiError'
  );
  return out;
}

/** A path parameter `name`, a string of at most `maxLength` characters. */
export function pathParameter(
  name: string,
  description: string,
  maxLength = 64
): Record<string, unknown> {
  return {
    name,
    in: 'path',
    required: true,
    description,
    schema: { type: 'string', minLength: 1, maxLength }
  };
}

/** The `{id}` of the `/api/jobs/{id}/…` paths. */
export const JOB_ID_PARAMETER = pathParameter('id', 'The job id');

/** The `{id}` of the `/api/projects/{id}/…` paths. */
export const PROJECT_ID_PARAMETER = pathParameter('id', 'The project id');

/** Operations with `security: []` answer without credentials. */
export const PUBLIC: Readonly<{ security: [] }> = Object.freeze({
  security: []
});

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request (INVALID_REQUEST)',
  401: 'Sign-in required (UNAUTHORIZED)',
  403: 'Forbidden',
  404: 'Not found, or not yours',
  409: 'Conflict with the current state',
  413: 'Body too large (PAYLOAD_TOO_LARGE)',
  429: 'Rate limited (RATE_LIMITED)'
};
