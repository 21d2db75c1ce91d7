import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from '../openapi/openapi-builders.js';

const tags = ['sweeps'];
const sweepId = pathParameter('id', 'The sweep id');

const transition = (name: string, summary: string) => ({
  post: {
    operationId: `${name}Sweep`,
    summary,
    tags,
    parameters: [sweepId],
    responses: {
      '200': jsonResponse('The sweep', 'Sweep'),
      ...errorResponses(404, 409)
    }
  }
});

/** OpenAPI description of `createSweepsRouter`. */
export const sweepsOpenApi: IOpenApiPart = {
  paths: {
    '/api/sweeps': {
      post: {
        operationId: 'createSweep',
        summary:
          'Starts a sweep: its trials materialised from the search space (grid or seeded random), each run as a job tagged with the sweep',
        tags,
        requestBody: jsonRequestBody('SweepCreate'),
        responses: {
          '201': jsonResponse('The sweep', 'Sweep'),
          ...errorResponses(400, 404)
        }
      },
      get: {
        operationId: 'listSweeps',
        summary: 'Your sweeps, newest first',
        tags,
        parameters: [
          {
            name: 'projectId',
            in: 'query',
            description: "Only this project's",
            schema: { type: 'string', maxLength: 64 }
          }
        ],
        responses: {
          '200': jsonResponse('The sweeps', 'SweepList'),
          ...errorResponses(400)
        }
      }
    },
    '/api/sweeps/{id}': {
      get: {
        operationId: 'getSweep',
        summary: 'A sweep with its trials, best so far and what it waits for',
        tags,
        parameters: [sweepId],
        responses: {
          '200': jsonResponse('The sweep', 'Sweep'),
          ...errorResponses(404)
        }
      }
    },
    '/api/sweeps/{id}/pause': transition(
      'pause',
      'Submits no further trial (those in flight finish and are recorded)'
    ),
    '/api/sweeps/{id}/resume': transition('resume', 'Submits trials again'),
    '/api/sweeps/{id}/cancel': transition(
      'cancel',
      'Ends the sweep and cancels its trials in flight'
    )
  }
};
