import express from 'express';
import type { Request, RequestHandler, Router } from 'express';
import Provider, { interactionPolicy } from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { User } from '@jaxlab/schemas';
import type { IOidcRecords, IUsers } from '@jaxlab/store';
import { labPageCsp, newPageNonce, renderLabPage } from '../pages/lab-page.js';
import { providerKeys } from './provider-keys.js';
import { storeAdapter } from './store-adapter.js';

/** Options of {@link createOidc}. */
export interface IOidcOptions {
  /**
   * The issuer as browsers and clients reach it: the server's public URL
   * plus `/oidc`, e.g. `http://127.0.0.1:8700/oidc`. The router must be
   * mounted at the root of the app that serves that URL.
   */
  issuer: string;
  /** The relying parties (JupyterHub), each with its secret and redirect URLs. */
  clients: IOidcOptions.IClient[];
  /** Where signed-in users are read (`sub` is the user's id). */
  users: Pick<IUsers, 'getUser'>;
  /** Where the provider keeps its sessions, grants, codes and tokens. */
  records: IOidcRecords;
  /**
   * The server's session secret, the same on every replica: from it the
   * replicas share the provider's cookie and signing keys (none: keys of
   * this process only).
   */
  secret?: string;
  /**
   * Sets `req.user` from the session cookie, if any, and never refuses:
   * `createAuth().identify`.
   */
  identify: RequestHandler;
  /** Whether a user is an admin (`groups: ["admin"]` in their claims). */
  isAdmin: (user: User) => boolean;
  /** Trust X-Forwarded-* (behind a TLS proxy). */
  trustProxy?: boolean;
}

/** Statics of {@link IOidcOptions}. */
export namespace IOidcOptions {
  /** One OAuth 2 client (confidential, authorization code + PKCE). */
  export interface IClient {
    clientId: string;
    clientSecret: string;
    redirectUris: string[];
  }
}

/** What {@link createOidc} returns. */
export interface IOidc {
  /**
   * `/oidc/*`: discovery, authorization, token, userinfo (`/oidc/me`),
   * JWKS, and the sign-in interaction. Mount before the auth middleware:
   * every path answers without a session cookie.
   */
  router: Router;
  /**
   * Ends what the provider issued to a user (grants and their access
   * tokens), so a client that re-checks (the hub's `refresh_user`) must
   * send the user through sign-in again. Call on sign-out.
   */
  endSessionsOf(userId: string): Promise<void>;
}

/** The path prefix of the OpenID provider. */
export const OIDC_PATH = '/oidc';

/**
 * The lab server as an OpenID Connect provider (`oidc-provider`, an
 * OpenID-certified implementation): JupyterHub's GenericOAuthenticator
 * signs users in through it, so one sign-in at the lab server (Google, or
 * local mode's token) gives the user their JupyterLab too.
 *
 * Sign-in is the lab server's own: the provider's login prompt is
 * satisfied only by the user of the server's session cookie (a
 * provider session of someone who has since signed out, or of another
 * user, is asked again), and consent is implied for the configured
 * first-party clients. Claims: `sub` (user id), `email`,
 * `email_verified`, `name`, `preferred_username` (the email), `groups`
 * (`["admin"]` for admins).
 *
 * State (sessions, interactions, grants, codes, tokens) lives in the lab's
 * store ({@link storeAdapter}) and the keys are shared through it
 * ({@link providerKeys}): a sign-in may start on one server replica and
 * finish on another, and a restart keeps grants and tokens.
 */
export async function createOidc(options: IOidcOptions): Promise<IOidc> {
  const { users, identify, records } = options;

  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(
      'lab_session_differs',
      'the lab server session is not the provider session',
      (ctx: KoaContextWithOIDC) => {
        const user = (ctx.req as Request).user;
        return user?.id === ctx.oidc.session?.accountId
          ? interactionPolicy.Check.NO_NEED_TO_PROMPT
          : interactionPolicy.Check.REQUEST_PROMPT;
      }
    )
  );

  const keys = await providerKeys(records, options.secret);
  const configuration: Configuration = {
    adapter: storeAdapter(records),
    clients: options.clients.map(c => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic'
    })),
    jwks: {
      keys: [{ ...keys.signingKey, use: 'sig', alg: 'RS256' }]
    } as Configuration['jwks'],
    cookies: { keys: keys.cookieKeys },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups']
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true }
    },
    pkce: { required: () => true },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${OIDC_PATH}/interaction/${interaction.uid}`
    },
    findAccount: async (_ctx, sub) => {
      const user = await users.getUser(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: user.email.toLowerCase(),
          groups: options.isAdmin(user) ? ['admin'] : []
        })
      };
    },
    renderError: (ctx, out) => {
      const nonce = newPageNonce();
      ctx.set('Content-Security-Policy', labPageCsp(nonce));
      ctx.type = 'html';
      ctx.body = renderLabPage(
        {
          title: 'Sign-in could not finish',
          message: `${String(out.error)}: ${String(out.error_description ?? '')}`,
          hint: 'Open the lab again from its start page; if it keeps happening, sign out and sign in again.'
        },
        nonce
      );
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600
    }
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy ?? false;
  const providerCallback = provider.callback();

  const router = express.Router();
  router.get(`${OIDC_PATH}/interaction/:uid`, identify, async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    const user = req.user;
    if (!user) {
      // Sign in at the lab server first, then come back here.
      const next = `${OIDC_PATH}/interaction/${details.uid}`;
      res.redirect(302, `/login?next=${encodeURIComponent(next)}`);
      return;
    }
    const clientId = String(details.params.client_id);
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : undefined;
    const current =
      grant && grant.accountId === user.id
        ? grant
        : new provider.Grant({ accountId: user.id, clientId });
    const missing = (details.prompt.details ?? {}) as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
    };
    current.addOIDCScope(
      missing.missingOIDCScope?.join(' ') ?? String(details.params.scope)
    );
    if (missing.missingOIDCClaims?.length)
      current.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await current.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.id }, consent: { grantId } },
      { mergeWithLastSubmission: false }
    );
  });
  // The provider sees the lab session's user in its login check.
  router.use(OIDC_PATH, identify, (req, res) => {
    providerCallback(req, res);
  });

  return {
    router,
    endSessionsOf: async userId => {
      for (const grantId of await records.idsOfAccount('Grant', userId)) {
        await provider.AccessToken.revokeByGrantId(grantId);
        await provider.AuthorizationCode.revokeByGrantId(grantId);
        const grant = await provider.Grant.find(grantId);
        await grant?.destroy();
      }
    }
  };
}
