import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import session from 'express-session';
import type passport from 'passport';
import type { IAccounts } from '@jaxlab/store';
import {
  AccountsSessionStore,
  DEFAULT_SESSION_MAX_AGE_MS
} from './accounts-session-store.js';
import { SESSION_COOKIE_NAME } from './auth-options.js';

/**
 * The session cookie (HttpOnly, SameSite=Lax, Secure over TLS; sessions in
 * the store's accounts), then passport on it: sets `req.user` of a
 * signed-in session. Runs once per request however often it is mounted.
 */
export function sessionMiddleware(
  authenticator: InstanceType<typeof passport.Passport>,
  options: {
    accounts: IAccounts;
    sessionSecret?: string;
    sessionMaxAgeMs?: number;
    trustProxy?: boolean;
  }
): RequestHandler {
  const { accounts } = options;
  const cookieSession = session({
    name: SESSION_COOKIE_NAME,
    secret: options.sessionSecret ?? randomBytes(32).toString('hex'),
    store: new AccountsSessionStore(accounts),
    resave: false,
    saveUninitialized: false,
    proxy: options.trustProxy,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: 'auto',
      maxAge: options.sessionMaxAgeMs ?? DEFAULT_SESSION_MAX_AGE_MS
    }
  });
  const passportInit = authenticator.initialize();
  const passportSession = authenticator.session();
  return (req, res, next) => {
    if (
      req.session &&
      (req as { _passportSessionDone?: boolean })._passportSessionDone
    ) {
      next();
      return;
    }
    cookieSession(req, res, err => {
      if (err) return next(err);
      passportInit(req, res, err2 => {
        if (err2) return next(err2);
        passportSession(req, res, (err3?: unknown) => {
          (req as { _passportSessionDone?: boolean })._passportSessionDone =
            true;
          next(err3);
        });
      });
    });
  };
}
