import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  JOB_ID_PARAMETER,
  errorResponses,
  jsonRequestBody,
  jsonResponse
} from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

const tags = ['chat'];

/** OpenAPI description of `createChatRouter`. */
export const chatOpenApi: IOpenApiPart = {
  paths: {
    '/api/jobs/{id}/chat': {
      get: {
        operationId: 'getRunChat',
        summary:
          'Your conversation about the run (or a comparison), and the context the next answer gets',
        tags,
        parameters: [
          JOB_ID_PARAMETER,
          {
            name: 'compare',
            in: 'query',
            description: 'Runs compared with it, comma separated',
            schema: { type: 'string', maxLength: 600 }
          }
        ],
        responses: {
          '200': jsonResponse('The conversation', 'ChatConversation'),
          ...errorResponses(404)
        }
      },
      post: {
        operationId: 'askRunChat',
        summary: 'Ask about the run: Server-Sent Events context, delta…, done',
        description:
          'Events: `context` (ChatContext: the chips sent to the model), `delta` ({text}), `done` (ChatMessage as stored; `error` when the model is off, failed, timed out or hit its quota).',
        tags,
        parameters: [JOB_ID_PARAMETER],
        requestBody: jsonRequestBody('ChatRequest'),
        responses: {
          '200': {
            description: 'The answer as Server-Sent Events',
            content: {
              // Each event as schemathesis (and OpenAPI's SSE convention)
              // reads it: its name, and its data as JSON.
              'text/event-stream': {
                schema: {
                  type: 'object',
                  required: ['event', 'data'],
                  properties: {
                    event: {
                      type: 'string',
                      enum: ['context', 'delta', 'done']
                    },
                    data: {
                      type: 'string',
                      contentMediaType: 'application/json',
                      contentSchema: componentRef('ChatStreamData')
                    }
                  }
                }
              }
            }
          },
          ...errorResponses(400, 404)
        }
      }
    }
  }
};
