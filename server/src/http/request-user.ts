import type { Request, RequestHandler } from 'express';
import type { User } from '@jaxlab/schemas';
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

/** The single user of {@link localUserAuth} unless another is given. */
export const LOCAL_USER: Readonly<User> = Object.freeze({
  id: 'local',
  email: 'local@jaxlab.local',
  name: 'Local user',
  provider: 'local'
});

/**
 * Authentication that makes every request the given user's, with no
 * credentials at all. Only for tests and the explicitly unsafe mode: the
 * real server uses `createAuth()` from `./auth/`.
 */
export function localUserAuth(user: User = LOCAL_USER): {
  middleware: RequestHandler;
} {
  const frozen = { ...user };
  return {
    middleware: (req, _res, next) => {
      req.user ??= { ...frozen };
      next();
    }
  };
}
