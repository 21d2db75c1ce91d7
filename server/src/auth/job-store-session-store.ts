import session from 'express-session';
import type { IJobStore } from '@jaxlab/store';
import { hashSecret } from './token-secret.js';

/** How long a session lives when its cookie names no expiry. */
export const DEFAULT_SESSION_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * express-session store over {@link IJobStore}'s sessions: sessions live in
 * the job store's database (so they survive restarts and are shared by
 * replicas), keyed by the SHA-256 of the session id, so a database reader
 * cannot replay a cookie.
 */
export class JobStoreSessionStore extends session.Store {
  constructor(store: IJobStore) {
    super();
    this._store = store;
  }

  override get(
    sid: string,
    callback: (err: unknown, session?: session.SessionData | null) => void
  ): void {
    this._store.getSession(hashSecret(sid)).then(
      data => callback(null, (data as session.SessionData | null) ?? null),
      err => callback(err)
    );
  }

  override set(
    sid: string,
    sess: session.SessionData,
    callback?: (err?: unknown) => void
  ): void {
    this._store.putSession(hashSecret(sid), sess, expiryOf(sess)).then(
      () => callback?.(),
      err => callback?.(err)
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this._store.deleteSession(hashSecret(sid)).then(
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

  private _store: IJobStore;
}

function expiryOf(sess: session.SessionData): Date {
  const expires = sess.cookie?.expires;
  if (expires) return new Date(expires);
  return new Date(Date.now() + DEFAULT_SESSION_MAX_AGE_MS);
}
