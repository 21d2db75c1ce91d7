import type { IOpenApiPart } from './openapi-document.js';
import { PUBLIC, errorResponses, jsonResponse } from './openapi-builders.js';

/** OpenAPI description of the routes `createLabServer` itself serves: health and this document. */
export const coreOpenApi: IOpenApiPart = {
  paths: {
    '/api/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Whether the server is up, and which store it uses',
        tags: ['server'],
        ...PUBLIC,
        responses: {
          '200': jsonResponse('The server is up', 'Health'),
          ...errorResponses()
        }
      }
    },
    '/healthz': {
      get: {
        operationId: 'getLiveness',
        summary: 'The process answers (liveness probe)',
        tags: ['operations'],
        ...PUBLIC,
        responses: {
          '200': jsonResponse('It answers', {
            type: 'object',
            required: ['ok'],
            properties: { ok: { const: true } }
          })
        }
      }
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        summary: 'Whether the store answers (readiness probe)',
        tags: ['operations'],
        ...PUBLIC,
        responses: {
          '200': jsonResponse('Ready', 'Readiness'),
          '503': jsonResponse(
            'Not ready: the failed check says why',
            'Readiness'
          )
        }
      }
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        summary:
          'Prometheus metrics (text exposition format): jobs by status and reason, queue depth per accelerator, live hosts, SSE event latency, store errors',
        tags: ['operations'],
        ...PUBLIC,
        responses: {
          '200': {
            description: 'The metrics',
            content: { 'text/plain': { schema: { type: 'string' } } }
          }
        }
      }
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This OpenAPI 3.1 document',
        tags: ['server'],
        ...PUBLIC,
        responses: {
          '200': jsonResponse('The document', { type: 'object' }),
          ...errorResponses()
        }
      }
    }
  }
};
