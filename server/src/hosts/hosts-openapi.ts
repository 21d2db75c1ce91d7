import type { IOpenApiPart } from '../openapi/openapi-document.js';
import { errorResponses, jsonResponse } from '../openapi/openapi-builders.js';

/** OpenAPI description of `GET /api/hosts` (`createHostsRouter`). */
export const hostsOpenApi: IOpenApiPart = {
  paths: {
    '/api/hosts': {
      get: {
        operationId: 'listHosts',
        summary: 'Connected gateway hosts and the accelerators they offer',
        tags: ['hosts'],
        responses: {
          '200': jsonResponse('The hosts heard from recently', 'HostList'),
          ...errorResponses()
        }
      }
    }
  }
};
