import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  errorResponses,
  jsonRequestBody
} from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

/** OpenAPI description of `createMakeRunnableRouter()` at `/api/make-runnable`. */
export const makeRunnableOpenApi: IOpenApiPart = {
  paths: {
    '/api/make-runnable': {
      post: {
        operationId: 'makeRunnable',
        summary:
          'Make it runnable: main.py with its top-level work moved into a generated main() (deterministic; nothing runs)',
        tags: ['review'],
        requestBody: jsonRequestBody('MakeRunnableRequest'),
        responses: {
          '200': {
            description: 'The rewrite, to show as a diff to accept or reject.',
            content: {
              'application/json': { schema: componentRef('RunnableRewrite') }
            }
          },
          ...errorResponses(400, 401)
        }
      }
    }
  }
};
