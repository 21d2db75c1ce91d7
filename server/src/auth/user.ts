import type { User } from '@jaxlab/schemas';
import 'express-session';

declare module 'express-session' {
  // eslint-disable-next-line @typescript-eslint/naming-convention -- augments express-session's type
  interface SessionData {
    /** Where to go after Google sign-in (from `?next=`). */
    returnTo?: string;
  }
}

declare global {
  // Passport's `Express.User` is empty; ours is the signed-in user as
  // GET /api/me shows it.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/naming-convention -- augments passport's type
    interface User {
      id: string;
      email: string;
      name: string;
      provider?: 'google' | 'local';
    }
  }
}

/** The signed-in user without anything else a store may hold. */
export function publicUser(user: User): User {
  const out: User = { id: user.id, email: user.email, name: user.name };
  if (user.provider) out.provider = user.provider;
  return out;
}
