import express from 'express';
import type { Router } from 'express';
import type { HubCredential } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';
import type { IApiTokens, IUsers } from '@jaxlab/store';
import {
  bearerSecret,
  hashSecret,
  newTokenSecret,
  secretsEqual
} from './token-secret.js';

/** Name of the personal API tokens minted for single-user servers. */
export const HUB_CREDENTIAL_NAME = 'jupyterhub server';

/** Options of {@link createHubCredentialsRouter}. */
export interface IHubCredentialsRouterOptions {
  /** Where credentials are kept (as personal API tokens of their user). */
  accounts: IApiTokens & Pick<IUsers, 'getUser'>;
  /** The secret JupyterHub authenticates with (`Authorization: Bearer <t>`). */
  hubToken: string;
}

/**
 * Credentials for the single-user servers JupyterHub spawns, at
 * `/api/hub/credentials` (mount before the sign-in middleware: the hub
 * authenticates with its own token, not as a user):
 *
 * - `POST {userId}` → 201 {@link HubCredential} with `token`: a personal
 *   API token of that user, which the hub gives the user's server as its
 *   kernel gateway credential (the gateway resolves it to the user);
 * - `DELETE /{id}?userId=` → 204: revoked when the server stops; the
 *   gateway refuses it within a second.
 */
export function createHubCredentialsRouter(
  options: IHubCredentialsRouterOptions
): Router {
  const { accounts, hubToken } = options;
  const router = express.Router();
  router.use((req, _res, next) => {
    const secret = bearerSecret(req.headers.authorization);
    if (secret === undefined || !secretsEqual(secret, hubToken)) {
      throw new JaxLabError(
        'UNAUTHORIZED',
        'Only JupyterHub may mint server credentials',
        {
          hint: 'Send the hub token (JAXLAB_HUB_TOKEN) as "Authorization: Bearer <token>".'
        }
      );
    }
    next();
  });
  router.post('/', express.json({ limit: 1024 }), async (req, res) => {
    const userId = parseUserId(
      (req.body as { userId?: unknown } | undefined)?.userId
    );
    if (!(await accounts.getUser(userId))) {
      throw new JaxLabError('NOT_FOUND', `No user ${userId}`, {
        hint: 'The user signs in at the lab server first; the hub passes their OpenID subject.'
      });
    }
    const secret = newTokenSecret();
    const token = await accounts.createApiToken(
      userId,
      HUB_CREDENTIAL_NAME,
      hashSecret(secret)
    );
    const credential: HubCredential = {
      id: token.id,
      userId,
      name: token.name,
      createdAt: token.createdAt,
      token: secret
    };
    res.status(201).json(credential);
  });
  router.delete('/:id', async (req, res) => {
    const userId = parseUserId(req.query.userId);
    if (!(await accounts.revokeApiToken(String(req.params.id), userId))) {
      throw new JaxLabError(
        'NOT_FOUND',
        `No credential ${String(req.params.id)} of ${userId}`
      );
    }
    res.status(204).end();
  });
  return router;
}

function parseUserId(value: unknown): string {
  if (typeof value !== 'string' || !/^[\w.@-]{1,128}$/.test(value)) {
    throw new JaxLabError('INVALID_REQUEST', 'userId must be a user id', {
      hint: 'Pass the OpenID subject ("sub") of the user.'
    });
  }
  return value;
}
