import express from 'express';
import type { Router } from 'express';
import type { ApiTokenList } from '@jaxlab/schemas';
import { JaxLabError, assertValid } from '@jaxlab/schemas';
import type { IApiTokens } from '@jaxlab/store';
import { listedApiToken } from '@jaxlab/store';
import { issueApiToken } from './issue-api-token.js';

/** Options of {@link createTokensRouter}. */
export interface ITokensRouterOptions {
  tokens: IApiTokens;
}

/**
 * Personal API tokens of the signed-in user, mounted at `/api/tokens`:
 * `POST /` `{name}` → 201 `{id, name, createdAt, token}` (the secret, shown
 * once; only its SHA-256 is stored), `GET /` (no secrets), `DELETE /{id}`.
 * Needs `req.user` (mount after the auth middleware).
 *
 */
export function createTokensRouter(options: ITokensRouterOptions): Router {
  const { tokens } = options;
  const router = express.Router();
  router.post('/', async (req, res) => {
    const body: unknown = req.body;
    assertValid('api-token-create', body, 'token request');
    res.status(201).json(await issueApiToken(tokens, userId(req), body.name));
  });
  router.get('/', async (req, res) => {
    const listed: ApiTokenList = (await tokens.listApiTokens(userId(req))).map(
      listedApiToken
    );
    res.json(listed);
  });
  router.delete('/:id', async (req, res) => {
    const ok = await tokens.revokeApiToken(String(req.params.id), userId(req));
    if (!ok) {
      throw new JaxLabError(
        'NOT_FOUND',
        `No API token ${String(req.params.id)}`,
        {
          hint: 'List your tokens with GET /api/tokens.'
        }
      );
    }
    res.status(204).end();
  });
  return router;
}

function userId(req: express.Request): string {
  if (!req.user) throw new JaxLabError('UNAUTHORIZED', 'Sign-in required');
  return req.user.id;
}
