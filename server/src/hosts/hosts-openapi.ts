import type { IOpenApiPart } from '../openapi/openapi-document.js';
import { errorResponses, jsonResponse } from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

/** OpenAPI description of `GET /api/hosts` (`createHostsRouter`). */
export const hostsOpenApi: IOpenApiPart = {
  schemas: {
    HostList: {
      type: 'object',
      required: ['items', 'accelerators'],
      properties: {
        items: { type: 'array', items: componentRef('HostInfo') },
        accelerators: {
          type: 'array',
          items: componentRef('Accelerator'),
          description: 'Kinds the connected hosts offer together'
        }
      }
    }
  },
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
