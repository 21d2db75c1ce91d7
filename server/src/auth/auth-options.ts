import type { RequestHandler, Router } from 'express';
import type { User } from '@jaxlab/schemas';
import type { IAccounts, IProjects } from '@jaxlab/store';

/** Paths that answer without credentials (matched on the URL's path). */
export const DEFAULT_PUBLIC_PATHS: readonly string[] = Object.freeze([
  '/api/health',
  '/api/openapi.json',
  '/login',
  '/auth/google',
  '/auth/google/callback',
  '/auth/logout'
]);

/** Name of the session cookie. */
export const SESSION_COOKIE_NAME = 'jaxlab.sid';

/** Options of {@link createAuth}. */
export interface IAuthOptions {
  /** Where users, sessions and API tokens live. */
  accounts: IAccounts;
  /** Where the default `onSignIn` puts a new user's sample projects. */
  projects: IProjects;
  /**
   * `google`: Google Sign-In (needs {@link IAuthOptions.google});
   * `local`: single-user mode with a login token printed at start.
   */
  mode: 'google' | 'local';
  /** Google OAuth client; the URLs can point at a stand-in in tests. */
  google?: IAuthOptions.IGoogle;
  /**
   * Local mode's login token (random per start when omitted). Also accepted
   * as a bearer token, as Jupyter's token is.
   */
  localToken?: string;
  /** Who the local user is (default: the OS user). */
  localUser?: { name: string; email?: string };
  /** Secret signing the session cookie (random per start when omitted). */
  sessionSecret?: string;
  /** Session lifetime in ms (default 7 days). */
  sessionMaxAgeMs?: number;
  /** Trust X-Forwarded-Proto for the cookie's Secure flag. */
  trustProxy?: boolean;
  /** Where a successful sign-in redirects without `?next=` (default `/lab`). */
  afterLoginUrl?: string;
  /**
   * Origins `?next=` may send the browser back to after sign-in (e.g. the
   * JupyterLab's); local paths are always allowed, anything else is ignored.
   */
  allowedRedirectOrigins?: readonly string[];
  /** Paths answering without credentials (default {@link DEFAULT_PUBLIC_PATHS}). */
  publicPaths?: readonly string[];
  /**
   * Called after each interactive sign-in, and in local mode at the first
   * use of the login token per start. Default: give a user without
   * projects the sample problems as projects.
   */
  onSignIn?: (user: User) => Promise<void>;
  /**
   * Called when a signed-in user signs out, after their session is gone
   * (e.g. to end what the OpenID provider issued to them).
   */
  onSignOut?: (user: User) => Promise<void>;
  /** Emails of admins (case-insensitive): `/api/me` says `isAdmin: true` for them. */
  adminEmails?: readonly string[];
  /**
   * Where a browser goes after signing out at `/auth/logout`, e.g. the
   * hub's `/hub/logout` so that its session ends too (it sends the browser
   * back to `GET /auth/logout`, which then says "signed out"). Default:
   * that page directly.
   */
  afterLogoutUrl?: string;
}

/** Statics of {@link IAuthOptions}. */
// eslint-disable-next-line @typescript-eslint/no-namespace -- statics beside the interface, as @jupyterlab/services does
export namespace IAuthOptions {
  /** Google OAuth 2.0 client settings. */
  export interface IGoogle {
    clientId: string;
    clientSecret: string;
    /**
     * URL of `/auth/google/callback` as Google must call it: absolute, or
     * a path resolved against the request's origin.
     */
    callbackUrl: string;
    authorizationUrl?: string;
    tokenUrl?: string;
    userProfileUrl?: string;
  }
}

/** What {@link createAuth} returns. */
export interface IAuth {
  /**
   * Identifies the caller (bearer token, else session cookie) and sets
   * `req.user`; answers 401 `UNAUTHORIZED` on any non-public path without
   * valid credentials. Mount it before every protected router.
   */
  middleware: RequestHandler;
  /** Sign-in routes: `/login`, `/auth/google[/callback]`, `/auth/logout`, `/api/me`. */
  router: Router;
  /**
   * Sets `req.user` from the session cookie when there is a signed-in
   * session, and never refuses (for routes that decide themselves, such as
   * the OpenID provider's sign-in interaction).
   */
  identify: RequestHandler;
  /** Whether a user is an admin (`adminEmails`). */
  isAdmin(user: User): boolean;
  /** Local mode's token (undefined in Google mode). */
  localToken: string | undefined;
  /** The URL to print at start in local mode, e.g. `http://127.0.0.1:8700/login?token=...`. */
  loginUrl(baseUrl: string): string;
}
