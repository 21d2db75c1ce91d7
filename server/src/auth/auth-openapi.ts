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

/** `response` that may also be an HTML page for a person (`description` says when). */
function withHtmlPage(
  response: unknown,
  description: string
): Record<string, unknown> {
  const r = response as {
    description: string;
    content: Record<string, unknown>;
  };
  return {
    description: `${r.description}. ${description}`,
    content: { ...r.content, 'text/html': { schema: { type: 'string' } } }
  };
}

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
          ...errorResponses(401),
          '401': withHtmlPage(
            errorResponses(401)['401'],
            'A browser (Accept: text/html) gets a page explaining the login URL'
          )
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
      get: {
        operationId: 'logoutPage',
        summary:
          'A page: signs a browser out (posting the form below) or says it is signed out',
        tags: ['auth'],
        ...PUBLIC,
        responses: {
          '200': {
            description: 'HTML page',
            content: { 'text/html': { schema: { type: 'string' } } }
          },
          ...errorResponses()
        }
      },
      post: {
        operationId: 'logout',
        summary:
          'Ends the session (deleted server-side) and clears the cookie; a browser form post goes on to the hub sign-out (303)',
        tags: ['auth'],
        ...PUBLIC,
        responses: {
          '204': { description: 'Signed out' },
          '303': redirect('Signed out; on to the hub sign-out'),
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

/** OpenAPI description of `createHubCredentialsRouter()` at `/api/hub/credentials`. */
export const hubCredentialsOpenApi: IOpenApiPart = {
  paths: {
    '/api/hub/credentials': {
      post: {
        operationId: 'mintHubCredential',
        summary:
          "JupyterHub only (hub token): mints a user's kernel gateway credential for their single-user server",
        tags: ['hub'],
        requestBody: jsonRequestBody('HubCredentialCreate'),
        responses: {
          '201': jsonResponse(
            'The credential, with its secret',
            'HubCredential'
          ),
          ...errorResponses(400, 401, 404)
        }
      }
    },
    '/api/hub/credentials/{id}': {
      delete: {
        operationId: 'revokeHubCredential',
        summary: 'JupyterHub only (hub token): revokes a server credential',
        tags: ['hub'],
        parameters: [
          pathParameter('id', 'Credential id'),
          {
            name: 'userId',
            in: 'query',
            required: true,
            schema: { type: 'string', maxLength: 128 }
          }
        ],
        responses: {
          '204': { description: 'Revoked' },
          ...errorResponses(400, 401, 404)
        }
      }
    }
  }
};
