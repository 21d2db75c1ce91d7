import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  errorResponses,
  jsonRequestBody
} from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

/** OpenAPI description of `createReviewRouter()` at `/api/review`. */
export const reviewOpenApi: IOpenApiPart = {
  paths: {
    '/api/review': {
      post: {
        operationId: 'reviewCode',
        summary:
          'Review Code: the built-in JAX lint, then Gemini; streamed as SSE with stream: true',
        tags: ['review'],
        requestBody: jsonRequestBody('ReviewRequest'),
        responses: {
          '200': {
            description:
              'The review. Model trouble never fails the request: see ai.status. As text/event-stream: `lint` {findings}, `delta` {text}..., `done` (the Review).',
            content: {
              'application/json': { schema: componentRef('Review') },
              'text/event-stream': {
                schema: {
                  type: 'object',
                  required: ['event', 'data'],
                  properties: {
                    event: { type: 'string', enum: ['lint', 'delta', 'done'] },
                    data: {
                      type: 'string',
                      contentMediaType: 'application/json',
                      contentSchema: componentRef('ReviewStreamData')
                    }
                  }
                }
              }
            }
          },
          ...errorResponses(400, 401, 404)
        }
      }
    }
  }
};
