import type { IOpenApiPart } from '../openapi/openapi-document.js';
import { errorResponses, jsonResponse } from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

/** OpenAPI description of `createSamplesRouter()` at `/api/samples`. */
export const samplesOpenApi: IOpenApiPart = {
  schemas: {
    SampleInfo: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'title', 'description', 'metric'],
      properties: {
        id: { type: 'string' },
        title: { type: 'string' },
        description: { type: 'string' },
        metric: {
          type: 'string',
          description: 'The `Final <metric>:` value it prints'
        }
      }
    }
  },
  paths: {
    '/api/samples': {
      get: {
        operationId: 'listSamples',
        summary:
          'The sample problems (create a project from one with POST /api/projects {sample})',
        tags: ['projects'],
        responses: {
          '200': jsonResponse('The samples', {
            type: 'array',
            items: componentRef('SampleInfo')
          }),
          ...errorResponses(401)
        }
      }
    }
  }
};
