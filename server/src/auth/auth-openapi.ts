import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  PUBLIC,
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from '../openapi/openapi-builders.js';

const redirect = (description: string): Record<string, unknown> => ({
  description,
  headers: {
    Location: { schema: { type: 'string' }, description: 'Where to go next' }
  }
});

const nextParameter = {
  name: 'next',
  in: 'query',
  required: false,
  description:
    'Where to go after sign-in: a local path or an allowed origin (anything else is ignored)',
  schema: { type: 'string', maxLength: 1024 }
};

/** OpenAPI description of the sign-in routes of `createAuth().router`. */
export const authOpenApi: IOpenApiPart = {
  paths: {
    '/api/me': {
      get: {
        operationId: 'getMe',
        summary: 'The signed-in user (never a secret)',
        tags: ['auth'],
        responses: {
          '200': jsonResponse('The user', 'User'),
          ...errorResponses(401)
        }
      }
    },
    '/login': {
      get: {
        operationId: 'login',
        summary:
          'Local mode: sign in with the token the start command printed; Google mode: go to Google',
        tags: ['auth'],
        ...PUBLIC,
        parameters: [
          nextParameter,
          {
            name: 'token',
            in: 'query',
            required: false,
            schema: { type: 'string', maxLength: 256 }
          }
        ],
        responses: {
          '302': redirect('Signed in (to the lab) or on to Google'),
          ...errorResponses(401)
        }
      }
    },
    '/auth/google': {
      get: {
        operationId: 'signInWithGoogle',
        summary: 'Starts Google Sign-In (404 when Google is not configured)',
        tags: ['auth'],
        parameters: [nextParameter],
        ...PUBLIC,
        responses: { '302': redirect('On to Google'), ...errorResponses(404) }
      }
    },
    '/auth/google/callback': {
      get: {
        operationId: 'googleCallback',
        summary:
          'Where Google sends the browser back; refuses a forged or missing state',
        tags: ['auth'],
        ...PUBLIC,
        parameters: [
          {
            name: 'code',
            in: 'query',
            required: false,
            schema: { type: 'string', maxLength: 512 }
          },
          {
            name: 'state',
            in: 'query',
            required: false,
            schema: { type: 'string', maxLength: 256 }
          }
        ],
        responses: {
          '302': redirect('Signed in; on to the lab'),
          ...errorResponses(401, 404)
        }
      }
    },
    '/auth/logout': {
      post: {
        operationId: 'logout',
        summary: 'Ends the session (deleted server-side) and clears the cookie',
        tags: ['auth'],
        ...PUBLIC,
        responses: {
          '204': { description: 'Signed out' },
          ...errorResponses(403)
        }
      }
    }
  }
};

/** OpenAPI description of `createTokensRouter()` at `/api/tokens`. */
export const tokensOpenApi: IOpenApiPart = {
  paths: {
    '/api/tokens': {
      post: {
        operationId: 'createApiToken',
        summary:
          'Creates a personal API token; the secret is in this answer only',
        tags: ['tokens'],
        requestBody: jsonRequestBody('ApiTokenCreate'),
        responses: {
          '201': jsonResponse('The token, with its secret', 'ApiToken'),
          ...errorResponses(400, 401)
        }
      },
      get: {
        operationId: 'listApiTokens',
        summary: 'Your API tokens (no secrets)',
        tags: ['tokens'],
        responses: {
          '200': jsonResponse('The tokens', 'ApiTokenList'),
          ...errorResponses(401)
        }
      }
    },
    '/api/tokens/{id}': {
      delete: {
        operationId: 'revokeApiToken',
        summary: 'Revokes one of your API tokens',
        tags: ['tokens'],
        parameters: [pathParameter('id', 'Token id')],
        responses: {
          '204': { description: 'Revoked' },
          ...errorResponses(401, 404)
        }
      }
    }
  }
};
