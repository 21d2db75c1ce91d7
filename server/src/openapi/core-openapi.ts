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
