import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from '../openapi/openapi-builders.js';
import {
  componentRef,
  schemaComponents
} from '../openapi/schema-components.js';

const jobId = pathParameter('id', 'The job id');
const tags = ['jobs'];
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

function jobSummarySchema(): Record<string, unknown> {
  const job = schemaComponents().Job as {
    properties: Record<string, unknown>;
    required: string[];
  };
  const {
    code: _code,
    requirements: _requirements,
    ...properties
  } = job.properties;
  return {
    ...job,
    title: 'JobSummary',
    description:
      'A job as lists show it: everything but the code and requirements.',
    properties,
    required: job.required.filter(
      name => name !== 'code' && name !== 'requirements'
    )
  };
}

/** OpenAPI description of the jobs API (`createJobsRouter`). */
export const jobsOpenApi: IOpenApiPart = {
  schemas: {
    JobSummary: jobSummarySchema(),
    JobAccepted: {
      type: 'object',
      required: ['jobId', 'job'],
      properties: { jobId: { type: 'string' }, job: componentRef('Job') }
    },
    JobPage: {
      type: 'object',
      required: ['items', 'nextCursor'],
      properties: {
        items: { type: 'array', items: componentRef('JobSummary') },
        nextCursor: {
          type: ['string', 'null'],
          description: 'Pass as `cursor` for the next page; null on the last.'
        }
      }
    },
    LogPage: {
      type: 'object',
      required: ['items', 'nextAfter', 'done'],
      properties: {
        items: { type: 'array', items: componentRef('LogChunk') },
        nextAfter: {
          type: 'integer',
          minimum: 0,
          description: 'Pass as `after` for the next page.'
        },
        done: {
          type: 'boolean',
          description: 'True when the job has ended and no chunk follows.'
        }
      }
    },
    Notebook: {
      type: 'object',
      description:
        'An nbformat 4.5 notebook (validates with nbformat.validate).',
      required: ['nbformat', 'nbformat_minor', 'metadata', 'cells'],
      properties: {
        nbformat: { const: 4 },
        nbformat_minor: { type: 'integer', minimum: 5 },
        metadata: { type: 'object' },
        cells: { type: 'array', items: { type: 'object' } }
      }
    }
  },
  paths: {
    '/api/jobs': {
      post: {
        operationId: 'createJob',
        summary: 'Submit a run: written QUEUED, answered at once',
        tags,
        requestBody: jsonRequestBody('JobCreate'),
        responses: {
          '202': jsonResponse('Queued', 'JobAccepted', {
            Location: {
              description: 'URL of the job',
              schema: { type: 'string' }
            }
          }),
          ...errorResponses(400, 404)
        }
      },
      get: {
        operationId: 'listJobs',
        summary: 'Your jobs, newest first, a page at a time',
        tags,
        parameters: [
          {
            name: 'status',
            in: 'query',
            description: 'Only jobs in these statuses (comma separated)',
            style: 'form',
            explode: false,
            schema: {
              type: 'array',
              minItems: 1,
              maxItems: 6,
              items: componentRef('JobStatus')
            }
          },
          {
            name: 'projectId',
            in: 'query',
            schema: { type: 'string', maxLength: 64 }
          },
          {
            name: 'limit',
            in: 'query',
            schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 }
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'nextCursor of the previous page',
            schema: { type: 'string', maxLength: 1024 }
          }
        ],
        responses: {
          '200': jsonResponse('A page of job summaries', 'JobPage'),
          ...errorResponses(400)
        }
      }
    },
    '/api/jobs/{id}': {
      get: {
        operationId: 'getJob',
        summary: 'One job, with its code, status, metrics and manifest',
        tags,
        parameters: [jobId],
        responses: {
          '200': jsonResponse('The job', 'Job'),
          ...errorResponses(404)
        }
      }
    },
    '/api/jobs/{id}/logs': {
      get: {
        operationId: 'getJobLogs',
        summary: 'Log chunks after a sequence number, in order',
        tags,
        parameters: [
          jobId,
          {
            name: 'after',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 0,
              maximum: MAX_SEQ,
              default: 0
            }
          },
          {
            name: 'limit',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 1000,
              default: 1000
            }
          }
        ],
        responses: {
          '200': jsonResponse('A page of log chunks', 'LogPage'),
          ...errorResponses(400, 404)
        }
      }
    },
    '/api/jobs/{id}/events': {
      get: {
        operationId: 'streamJobEvents',
        summary:
          'Live events as Server-Sent Events (id: seq, event: type, data: JobEvent), each once and in order; ends after the final status',
        tags,
        parameters: [
          jobId,
          {
            name: 'Last-Event-ID',
            in: 'header',
            description:
              'Resume after this sequence number (wins over `after`)',
            schema: { type: 'string', pattern: '^[0-9]{1,15}$' }
          },
          {
            name: 'after',
            in: 'query',
            schema: {
              type: 'integer',
              minimum: 0,
              maximum: MAX_SEQ,
              default: 0
            }
          }
        ],
        responses: {
          '200': {
            description: 'An event stream of JobEvent data',
            content: {
              'text/event-stream': {
                schema: {
                  type: 'object',
                  description: 'One event of the stream',
                  required: ['data'],
                  properties: {
                    id: { type: 'string', pattern: '^[0-9]+$' },
                    event: {
                      type: 'string',
                      enum: ['job:status', 'job:log', 'job:metrics', 'error']
                    },
                    data: {
                      type: 'string',
                      contentMediaType: 'application/json',
                      contentSchema: componentRef('JobEvent')
                    }
                  }
                }
              }
            }
          },
          ...errorResponses(400, 404)
        }
      }
    },
    '/api/jobs/{id}/cancel': {
      post: {
        operationId: 'cancelJob',
        summary:
          'Cancel a job: a queued one ends CANCELLED now, a running one within seconds',
        tags,
        parameters: [jobId],
        responses: {
          '202': jsonResponse('Cancel accepted', 'Job'),
          ...errorResponses(404, 409)
        }
      }
    },
    '/api/jobs/{id}/notebook': {
      get: {
        operationId: 'exportJobNotebook',
        summary: 'The run as a Jupyter notebook (.ipynb attachment)',
        tags,
        parameters: [jobId],
        responses: {
          '200': {
            description: 'The notebook',
            headers: { 'Content-Disposition': { schema: { type: 'string' } } },
            content: {
              'application/x-ipynb+json': { schema: componentRef('Notebook') }
            }
          },
          ...errorResponses(404)
        }
      }
    }
  }
};
