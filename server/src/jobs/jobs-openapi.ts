import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  JOB_ID_PARAMETER,
  errorResponses,
  jsonRequestBody,
  jsonResponse
} from '../openapi/openapi-builders.js';
import { componentRef } from '../openapi/schema-components.js';

const tags = ['jobs'];
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const afterSeq = {
  name: 'after',
  in: 'query',
  description: 'Only what comes after this sequence number',
  schema: { type: 'integer', minimum: 0, maximum: MAX_SEQ, default: 0 }
};

/** OpenAPI description of the jobs API (`createJobsRouter`). */
export const jobsOpenApi: IOpenApiPart = {
  paths: {
    '/api/jobs': {
      post: {
        operationId: 'createJob',
        summary: 'Submit a run: written QUEUED, answered at once',
        description:
          'A requirements.txt line that is more than a PEP 508 requirement (options, URLs, paths, ...) answers 400 REQUIREMENTS_REJECTED with details {line, rule}; a file of `files` whose path or size a project may not have answers 400 PROJECT_FILE_REJECTED with details {path, rule}.',
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
            description: "Only this project's jobs (absent: every project's)",
            schema: { type: 'string', maxLength: 64 }
          },
          {
            name: 'tag',
            in: 'query',
            description: 'Only jobs with this tag',
            schema: { type: 'string', maxLength: 64 }
          },
          {
            name: 'q',
            in: 'query',
            description: 'Only jobs whose name contains this (any case)',
            schema: { type: 'string', maxLength: 200 }
          },
          {
            name: 'arg',
            in: 'query',
            description:
              "Only jobs called with this argument, name=value with a Python or JSON literal (lr=0.1, opt='adam', flag=True); repeatable",
            schema: {
              type: 'array',
              maxItems: 16,
              items: { type: 'string', maxLength: 300 }
            }
          },
          {
            name: 'metric',
            in: 'query',
            description:
              "Only jobs whose metric compares so: a step series' last value, else the run value of that name (loss<0.5, accuracy>=0.9)",
            schema: { type: 'string', maxLength: 200 }
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
        parameters: [JOB_ID_PARAMETER],
        responses: {
          '200': jsonResponse('The job', 'Job'),
          ...errorResponses(404)
        }
      },
      patch: {
        operationId: 'updateJob',
        summary: 'Name, tag or annotate a run (any subset; at any status)',
        tags,
        parameters: [JOB_ID_PARAMETER],
        requestBody: jsonRequestBody('JobUpdate'),
        responses: {
          '200': jsonResponse('The job', 'Job'),
          ...errorResponses(400, 404)
        }
      }
    },
    '/api/jobs/{id}/queue': {
      get: {
        operationId: 'getJobQueuePlace',
        summary:
          "The job's place in the queue (round-robin between users, oldest first within one) and why it has not started",
        tags,
        parameters: [JOB_ID_PARAMETER],
        responses: {
          '200': jsonResponse('Its place and the reason', 'QueuePlace'),
          ...errorResponses(404)
        }
      }
    },
    '/api/jobs/{id}/logs': {
      get: {
        operationId: 'getJobLogs',
        summary:
          'Log chunks after a sequence number, in order: at most `limit` chunks and 4 MiB of text per page (at least one chunk)',
        tags,
        parameters: [
          JOB_ID_PARAMETER,
          afterSeq,
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
          JOB_ID_PARAMETER,
          {
            name: 'Last-Event-ID',
            in: 'header',
            description:
              'Resume after this sequence number (wins over `after`)',
            schema: { type: 'string', pattern: '^[0-9]{1,15}$' }
          },
          afterSeq
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
        parameters: [JOB_ID_PARAMETER],
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
        parameters: [JOB_ID_PARAMETER],
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
