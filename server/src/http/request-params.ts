import type { Request } from 'express';
import { HttpError } from '@jaxlab/http';

/** Bounds and default of {@link queryInteger}. */
export interface IIntegerParam {
  min: number;
  max: number;
  /** Used when the parameter is absent. */
  default?: number;
}

/**
 * The query parameter `name` as an integer within bounds.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` when it is not one, or is
 *   given more than once.
 */
export function queryInteger(
  req: Request,
  name: string,
  spec: IIntegerParam
): number | undefined {
  const raw = queryString(req, name);
  return raw === undefined ? spec.default : parseInteger(raw, name, spec);
}

/**
 * The query parameter `name` as one string, or undefined when absent.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` when repeated or nested.
 */
export function queryString(
  req: Request,
  name: string,
  maxLength = 1024
): string | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length > maxLength) {
    throw invalid(
      `Query parameter '${name}' must be given once, as text of at most ${maxLength} characters`
    );
  }
  return raw;
}

/**
 * The query parameter `name` as a list of allowed values (comma separated
 * or repeated), or undefined when absent.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` naming the allowed values.
 */
export function queryEnumList<T extends string>(
  req: Request,
  name: string,
  allowed: readonly T[]
): T[] | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap(v =>
    typeof v === 'string' ? v.split(',') : [null]
  );
  for (const part of parts) {
    if (part === null || !(allowed as readonly string[]).includes(part)) {
      throw invalid(
        `Query parameter '${name}' must be one or more of ${allowed.join(', ')}`
      );
    }
  }
  return parts as T[];
}

/**
 * Parses a non-negative decimal integer within bounds (for headers such as
 * Last-Event-ID, too).
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST`.
 */
export function parseInteger(
  raw: string,
  name: string,
  spec: IIntegerParam
): number {
  const value = /^\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < spec.min || value > spec.max) {
    throw invalid(
      `'${name}' must be an integer from ${spec.min} to ${spec.max}`
    );
  }
  return value;
}

function invalid(message: string): HttpError {
  return new HttpError('INVALID_REQUEST', message, {
    hint: 'See GET /api/openapi.json for the parameters of this endpoint.'
  });
}
