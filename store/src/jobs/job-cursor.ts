import { JaxLabError } from '@jaxlab/schemas';
import type { IPage } from './contract.js';

/** Where a page of `listJobs` (newest first) continues: after this job. */
export interface IJobCursor {
  createdAt: string;
  id: string;
}

/** Encodes a cursor as an opaque URL-safe string. */
export function encodeJobCursor(cursor: IJobCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString(
    'base64url'
  );
}

/**
 * Decodes a cursor made by {@link encodeJobCursor}.
 *
 * @throws JaxLabError `INVALID_REQUEST` when it is not one.
 */
export function decodeJobCursor(cursor: string): IJobCursor {
  try {
    const value: unknown = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8')
    );
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new JaxLabError('INVALID_REQUEST', 'The page cursor is not valid.', {
    hint: 'Pass the nextCursor of a previous page unchanged, or omit it.'
  });
}

/** Page size of `listJobs`: 1..200, default 50. */
export function jobPageSize(limit: number | undefined): number {
  if (limit === undefined) return 50;
  return Math.min(200, Math.max(1, Math.floor(limit)));
}

/**
 * The page of `listJobs` in `fetched`, which holds up to one job more than
 * `limit`: that one only tells that another page follows.
 */
export function jobPage<T, S extends IJobCursor>(
  fetched: readonly T[],
  limit: number,
  toItem: (found: T) => S
): IPage<S> {
  const items = fetched.slice(0, limit).map(toItem);
  return fetched.length > limit
    ? { items, nextCursor: encodeJobCursor(items[items.length - 1]) }
    : { items };
}
