import type { Request } from 'express';
import { HttpError } from '@jaxlab/http';

/**
 * The id of the signed-in user, the owner every store call is scoped to.
 *
 * @throws {@link HttpError} 401 `UNAUTHORIZED` when no auth middleware set
 *   `req.user` (a route mounted outside authentication).
 */
export function ownerOf(req: Request): string {
  const id = (req.user as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || id === '') {
    throw new HttpError('UNAUTHORIZED', 'Sign-in required', {
      hint: 'Sign in, or send an API token as "Authorization: Bearer <token>".'
    });
  }
  return id;
}
