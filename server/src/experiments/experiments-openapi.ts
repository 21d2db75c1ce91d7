import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  JOB_ID_PARAMETER,
  errorResponses,
  jsonResponse
} from '../openapi/openapi-builders.js';

const tags = ['experiments'];
const step = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };

/** OpenAPI description of `createExperimentsRouter`. */
export const experimentsOpenApi: IOpenApiPart = {
  paths: {
    '/api/jobs/{id}/series': {
      get: {
        operationId: 'getJobSeries',
        summary:
          "A run's step series, cut into step buckets with min/max/last (a million steps chart like a thousand)",
        tags,
        parameters: [
          JOB_ID_PARAMETER,
          {
            name: 'names',
            in: 'query',
            description: 'Only these series (comma separated)',
            schema: { type: 'string', maxLength: 4224 }
          },
          {
            name: 'buckets',
            in: 'query',
            description: 'Most buckets per series',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 10000,
              default: 1000
            }
          },
          { name: 'fromStep', in: 'query', schema: step },
          { name: 'toStep', in: 'query', schema: step }
        ],
        responses: {
          '200': jsonResponse('The series', 'SeriesData'),
          ...errorResponses(400, 404)
        }
      }
    },
    '/api/experiments/compare': {
      get: {
        operationId: 'compareRuns',
        summary:
          'Runs side by side: what they ran with (and which differs), final/min/max of every metric',
        tags,
        parameters: [
          {
            name: 'jobs',
            in: 'query',
            required: true,
            description: '1 to 16 job ids, comma separated',
            schema: { type: 'string', maxLength: 1040 }
          }
        ],
        responses: {
          '200': jsonResponse('The comparison', 'RunComparison'),
          ...errorResponses(400, 404)
        }
      }
    }
  }
};
