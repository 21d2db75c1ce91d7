import session from 'express-session';
import type { ISessions } from '@jaxlab/store';
import { hashSecret } from './token-secret.js';

/** How long a session lives when its cookie names no expiry. */
export const DEFAULT_SESSION_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * express-session store over the store's sessions (`IStore.accounts`):
 * sessions live in the lab's database (so they survive restarts and are
 * shared by replicas), keyed by the SHA-256 of the session id, so a
 * database reader cannot replay a cookie.
 */
export class AccountsSessionStore extends session.Store {
  constructor(sessions: ISessions) {
    super();
    this._sessions = sessions;
  }

  override get(
    sid: string,
    callback: (err: unknown, session?: session.SessionData | null) => void
  ): void {
    this._sessions.getSession(hashSecret(sid)).then(
      data => callback(null, (data as session.SessionData | null) ?? null),
      err => callback(err)
    );
  }

  override set(
    sid: string,
    sess: session.SessionData,
    callback?: (err?: unknown) => void
  ): void {
    this._sessions.putSession(hashSecret(sid), sess, expiryOf(sess)).then(
      () => callback?.(),
      err => callback?.(err)
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this._sessions.deleteSession(hashSecret(sid)).then(
      () => callback?.(),
      err => callback?.(err)
    );
  }

  override touch(
    sid: string,
    sess: session.SessionData,
    callback?: () => void
  ): void {
    this.set(sid, sess, () => callback?.());
  }

  private _sessions: ISessions;
}

function expiryOf(sess: session.SessionData): Date {
  const expires = sess.cookie?.expires;
  if (expires) return new Date(expires);
  return new Date(Date.now() + DEFAULT_SESSION_MAX_AGE_MS);
}
