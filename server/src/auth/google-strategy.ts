import GoogleOAuth from 'passport-google-oauth20';
import type { IAccounts } from '@jaxlab/store';
import type { IAuthOptions } from './auth-options.js';
import { publicUser } from './user.js';

/**
 * Google Sign-In through passport: asks for `openid email profile` (with a
 * `state`), then records the Google account as a lab user.
 */
export function googleStrategy(
  accounts: IAccounts,
  g: IAuthOptions.IGoogle
): GoogleOAuth.Strategy {
  return new GoogleOAuth.Strategy(
    {
      clientID: g.clientId,
      clientSecret: g.clientSecret,
      callbackURL: g.callbackUrl,
      authorizationURL: g.authorizationUrl,
      tokenURL: g.tokenUrl,
      userProfileURL: g.userProfileUrl,
      scope: ['openid', 'email', 'profile'],
      state: true
    },
    (_accessToken, _refreshToken, profile, done) => {
      const email = profile.emails?.[0]?.value ?? '';
      accounts
        .upsertUser({
          provider: 'google',
          subject: profile.id,
          email,
          name: profile.displayName || email
        })
        .then(
          user => done(null, publicUser(user)),
          err => done(err as Error)
        );
    }
  );
}
