import type { IOpenApiPart } from '../openapi/openapi-document.js';
import { errorResponses, jsonResponse } from '../openapi/openapi-builders.js';

/** OpenAPI description of `createSamplesRouter()` at `/api/samples`. */
export const samplesOpenApi: IOpenApiPart = {
  paths: {
    '/api/samples': {
      get: {
        operationId: 'listSamples',
        summary:
          'The sample problems (create a project from one with POST /api/projects {sample})',
        tags: ['projects'],
        responses: {
          '200': jsonResponse('The samples', 'SampleList'),
          ...errorResponses(401)
        }
      }
    }
  }
};
