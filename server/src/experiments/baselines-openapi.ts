import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  JOB_ID_PARAMETER,
  PROJECT_ID_PARAMETER,
  errorResponses,
  jsonRequestBody,
  jsonResponse
} from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

const tags = ['experiments'];
const text = (name: string, description: string, maxLength = 64) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', maxLength }
});

/** OpenAPI description of `createBaselinesRouter`. */
export const baselinesOpenApi: IOpenApiPart = {
  paths: {
    '/api/projects/{id}/leaderboard': {
      get: {
        operationId: 'getLeaderboard',
        summary:
          "The project's completed runs ranked by a metric (a step series' last value, else a run value), with filters; CSV with format=csv",
        tags,
        parameters: [
          PROJECT_ID_PARAMETER,
          {
            ...text('metric', 'The metric that ranks the runs'),
            required: true
          },
          {
            name: 'direction',
            in: 'query',
            description:
              'min: lower is better (default); max: higher is better',
            schema: { type: 'string', enum: ['min', 'max'], default: 'min' }
          },
          text('tag', 'Only runs with this tag'),
          {
            name: 'arg',
            in: 'query',
            description:
              "Only runs called with this argument, as name=value (repeatable; Python or JSON literals: lr=0.1, opt='adam')",
            schema: {
              type: 'array',
              maxItems: 16,
              items: { type: 'string', maxLength: 300 }
            },
            style: 'form',
            explode: true
          },
          text('from', 'Only runs created at or after this ISO date', 40),
          text('to', 'Only runs created before this ISO date', 40),
          {
            name: 'accelerator',
            in: 'query',
            description: 'Only runs on this accelerator',
            schema: { type: 'string', enum: ['cpu', 'gpu', 'tpu'] }
          },
          {
            name: 'limit',
            in: 'query',
            description: 'Most rows (total counts all)',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 10000,
              default: 100
            }
          },
          {
            name: 'format',
            in: 'query',
            description: 'csv: the rows as a CSV download',
            schema: { type: 'string', enum: ['json', 'csv'] }
          }
        ],
        responses: {
          '200': {
            description: 'The leaderboard',
            content: {
              'application/json': { schema: componentRef('Leaderboard') },
              'text/csv': { schema: { type: 'string' } }
            }
          },
          ...errorResponses(400, 404)
        }
      }
    },
    '/api/projects/{id}/baseline': {
      get: {
        operationId: 'getBaseline',
        summary: "The project's regression baseline",
        tags,
        parameters: [PROJECT_ID_PARAMETER],
        responses: {
          '200': jsonResponse('The baseline', 'Baseline'),
          ...errorResponses(404)
        }
      },
      put: {
        operationId: 'setBaseline',
        summary:
          "Sets a completed run as the project's baseline for chosen metrics, each with a direction and a tolerance; checks the project's finished runs against it",
        tags,
        parameters: [PROJECT_ID_PARAMETER],
        requestBody: jsonRequestBody('BaselineSet'),
        responses: {
          '200': jsonResponse(
            'The baseline, with the run’s values',
            'Baseline'
          ),
          ...errorResponses(400, 404)
        }
      },
      delete: {
        operationId: 'deleteBaseline',
        summary: "Removes the project's baseline",
        tags,
        parameters: [PROJECT_ID_PARAMETER],
        responses: { '204': { description: 'Removed' }, ...errorResponses(404) }
      }
    },
    '/api/runs/{id}/regression': {
      get: {
        operationId: 'getRunRegression',
        summary:
          "A finished run's verdict against its project's baseline (pass / regressed, by how much), for CI",
        tags,
        parameters: [JOB_ID_PARAMETER],
        responses: {
          '200': jsonResponse('The verdict', 'RegressionVerdict'),
          ...errorResponses(404, 409)
        }
      }
    }
  }
};
