import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import type { User } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { IAuth, IAuthOptions } from './auth-options.js';
import { DEFAULT_PUBLIC_PATHS, SESSION_COOKIE_NAME } from './auth-options.js';
import { googleStrategy } from './google-strategy.js';
import { safeNextReader } from './safe-redirect.js';
import { sessionMiddleware } from './session-middleware.js';
import { bearerSecret, hashSecret, secretsEqual } from './token-secret.js';
import { seedSampleProjects } from '../samples/seed-samples.js';
import { sendLabPage, wantsHtml } from '../pages/lab-page.js';
import { publicUser } from './user.js';

/**
 * Creates sign-in for the server: sessions stored in the lab's store (cookie
 * HttpOnly, SameSite=Lax, Secure over TLS), personal API tokens as bearer
 * credentials, and either Google Sign-In through passport or local
 * single-user mode.
 *
 * @throws {@link JaxLabError} `INVALID_REQUEST` when mode is `google` without
 *   Google settings.
 * @example
 * ```ts
 * const auth = createAuth({ accounts: store.accounts, projects: store.projects, mode: 'local' });
 * console.log(`Open ${auth.loginUrl('http://127.0.0.1:8700')}`);
 * app.use(auth.router);
 * app.use(auth.middleware);
 * ```
 */
export function createAuth(options: IAuthOptions): IAuth {
  const { accounts } = options;
  if (options.mode === 'google' && !options.google) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      'Google sign-in needs a client id, secret and callback URL',
      {
        hint: 'Set GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and GOOGLE_CALLBACK_URL, or run in local mode.'
      }
    );
  }
  const localToken =
    options.mode === 'local'
      ? (options.localToken ?? randomBytes(24).toString('hex'))
      : undefined;
  const publicPaths = new Set(options.publicPaths ?? DEFAULT_PUBLIC_PATHS);
  const adminEmails = new Set(
    (options.adminEmails ?? []).map(e => e.trim().toLowerCase()).filter(Boolean)
  );
  const isAdmin = (user: User): boolean =>
    adminEmails.has(user.email.toLowerCase());
  const afterLoginUrl = options.afterLoginUrl ?? '/lab';
  const onSignIn =
    options.onSignIn ??
    (async (user: User) =>
      void (await seedSampleProjects(options.projects, user)));

  const authenticator = new passport.Passport();
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((id: string, done) => {
    accounts.getUser(id).then(
      user => done(null, user ? publicUser(user) : false),
      err => done(err)
    );
  });
  if (options.mode === 'google' && options.google)
    authenticator.use('google', googleStrategy(accounts, options.google));

  const withSession = sessionMiddleware(authenticator, options);
  let localUserRecord: Promise<User> | undefined;
  const localUser = (): Promise<User> => {
    if (!localUserRecord) {
      const osName = safeOsUserName();
      const name = options.localUser?.name ?? osName;
      localUserRecord = accounts
        .upsertUser({
          provider: 'local',
          subject: name,
          email: options.localUser?.email ?? `${name}@jaxlab.local`,
          name
        })
        .then(async user => {
          // Programs (the lab extension) may use the login token without
          // ever opening the login URL: welcome the local user once per
          // start either way.
          await onSignIn(publicUser(user));
          return publicUser(user);
        });
      localUserRecord.catch(() => (localUserRecord = undefined));
    }
    return localUserRecord;
  };

  const isPublic = (req: Request): boolean => publicPaths.has(pathOf(req));

  const middleware: RequestHandler = (req, res, next) => {
    if (req.user) {
      next();
      return;
    }
    const secret = bearerSecret(req.headers.authorization);
    if (secret !== undefined) {
      // A request carrying credentials is judged on them alone: it never
      // falls back to the cookie, so a bad header cannot ride a session.
      identifyBearer(secret).then(user => {
        if (user) {
          req.user = user;
          next();
        } else if (isPublic(req)) {
          next();
        } else {
          next(
            new JaxLabError(
              'UNAUTHORIZED',
              'The API token is not valid (unknown or revoked)',
              {
                hint: 'Create a new token with POST /api/tokens while signed in.'
              }
            )
          );
        }
      }, next);
      return;
    }
    withSession(req, res, err => {
      if (err) return next(err);
      if (req.user || isPublic(req)) return next();
      next(unauthorized(options.mode));
    });
  };

  const identifyBearer = async (secret: string): Promise<User | null> => {
    if (localToken !== undefined && secretsEqual(secret, localToken))
      return localUser();
    const user = await accounts.findUserByTokenHash(hashSecret(secret));
    return user ? publicUser(user) : null;
  };

  const safeNext = safeNextReader(options.allowedRedirectOrigins);
  const signIn = (
    req: Request,
    res: Response,
    next: NextFunction,
    user: User,
    returnTo: string | undefined
  ): void => {
    req.login(user, err => {
      if (err) return next(err);
      onSignIn(user).then(
        () => res.redirect(302, returnTo ?? afterLoginUrl),
        next
      );
    });
  };

  const router = express.Router();
  router.get('/login', withSession, (req, res, next) => {
    const returnTo = safeNext(req);
    if (options.mode === 'google') {
      const q = returnTo ? `?next=${encodeURIComponent(returnTo)}` : '';
      res.redirect(302, `/auth/google${q}`);
      return;
    }
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!token && req.user) {
      // Already signed in (session cookie): just go on.
      res.redirect(302, returnTo ?? afterLoginUrl);
      return;
    }
    if (!localToken || !token || !secretsEqual(token, localToken)) {
      const hint =
        'Open the login URL the start command printed (it changes at every start).';
      if (wantsHtml(req)) {
        sendLabPage(res, 401, {
          title: 'Sign in to JAX TPU Lab',
          message: token
            ? 'This login link is not valid (any more).'
            : 'This lab runs in local mode: there are no accounts, only a login link with a one-time token.',
          hint: `${hint} It looks like http://127.0.0.1:8700/login?token=… and is printed by "npm start" in its terminal.`
        });
        return;
      }
      next(
        new JaxLabError('UNAUTHORIZED', 'The login token is missing or wrong', {
          hint
        })
      );
      return;
    }
    localUser().then(user => signIn(req, res, next, user, returnTo), next);
  });
  router.get('/auth/google', withSession, (req, res, next) => {
    if (options.mode !== 'google') {
      next(
        new JaxLabError('NOT_FOUND', 'Google sign-in is not configured', {
          hint: 'Set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or use the local login URL.'
        })
      );
      return;
    }
    const returnTo = safeNext(req);
    if (returnTo && req.session) req.session.returnTo = returnTo;
    authenticator.authenticate('google')(req, res, next);
  });
  router.get('/auth/google/callback', withSession, (req, res, next) => {
    if (options.mode !== 'google') {
      next(new JaxLabError('NOT_FOUND', 'Google sign-in is not configured'));
      return;
    }
    authenticator.authenticate(
      'google',
      (
        err: unknown,
        user: User | false,
        info: { message?: string } | undefined
      ) => {
        if (err || !user) {
          const why =
            err instanceof Error ? err.message : (info?.message ?? 'no user');
          next(
            new JaxLabError('UNAUTHORIZED', `Google sign-in failed: ${why}`, {
              hint: 'Start again from /auth/google.',
              cause: err
            })
          );
          return;
        }
        // Read before req.login regenerates the session.
        const returnTo = req.session?.returnTo;
        signIn(req, res, next, user, returnTo);
      }
    )(req, res, next);
  });
  const afterLogoutUrl = options.afterLogoutUrl;
  const logoutTargets = afterLogoutUrl ? [new URL(afterLogoutUrl).origin] : [];
  // A browser that opens /auth/logout (a link, or the hub sending it back
  // after its own sign-out) signs out by posting the form this page submits.
  router.get('/auth/logout', withSession, (req, res) => {
    if (req.user) {
      sendLabPage(
        res,
        200,
        {
          title: 'Signing out…',
          message: `Signing ${req.user.email || req.user.name} out of JAX TPU Lab and JupyterLab.`,
          autoSubmit: { action: '/auth/logout', label: 'Sign out' }
        },
        logoutTargets
      );
      return;
    }
    sendLabPage(res, 200, {
      title: 'You are signed out',
      message: 'You are signed out of JAX TPU Lab and of your JupyterLab.',
      actions: [{ label: 'Sign in again', href: '/login' }]
    });
  });
  router.post('/auth/logout', withSession, (req, res, next) => {
    const user = req.user;
    req.logout({ keepSessionInfo: false }, err => {
      if (err) return next(err);
      const done = (): void => {
        res.clearCookie(SESSION_COOKIE_NAME, {
          httpOnly: true,
          sameSite: 'lax',
          path: '/'
        });
        const signedOut =
          user && options.onSignOut
            ? options.onSignOut(user)
            : Promise.resolve();
        signedOut.then(() => {
          // A browser's form post goes on to the hub's sign-out (and back);
          // a program gets 204.
          if (wantsHtml(req))
            res.redirect(303, afterLogoutUrl ?? '/auth/logout');
          else res.status(204).end();
        }, next);
      };
      if (req.session) req.session.destroy(e => (e ? next(e) : done()));
      else done();
    });
  });
  router.get('/api/me', middleware, (req, res) => {
    const user = req.user as User;
    res.json({ ...publicUser(user), isAdmin: isAdmin(user) });
  });

  return {
    middleware,
    router,
    identify: withSession,
    isAdmin,
    localToken,
    loginUrl: baseUrl =>
      localToken === undefined
        ? `${baseUrl.replace(/\/$/, '')}/auth/google`
        : `${baseUrl.replace(/\/$/, '')}/login?token=${localToken}`
  };
}

function unauthorized(mode: 'google' | 'local'): JaxLabError {
  return new JaxLabError('UNAUTHORIZED', 'Sign-in required', {
    hint:
      mode === 'google'
        ? 'Sign in at /auth/google, or send an API token as "Authorization: Bearer <token>".'
        : 'Open the login URL the start command printed, or send its token as "Authorization: Bearer <token>".'
  });
}

function pathOf(req: Request): string {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function safeOsUserName(): string {
  try {
    const name = userInfo().username.replace(/[^A-Za-z0-9._-]/g, '');
    return name || 'local';
  } catch {
    return 'local';
  }
}
