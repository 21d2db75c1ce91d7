import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  JOB_ID_PARAMETER,
  errorResponses,
  jsonResponse,
  pathParameter
} from '../openapi/openapi-builders.js';

const tags = ['artifacts'];
const binary = { type: 'string', format: 'binary' };
const query = (
  name: string,
  description: string,
  schema: Record<string, unknown>
) => ({
  name,
  in: 'query',
  description,
  schema
});

/** OpenAPI description of `createArtifactsRouter`. */
export const artifactsOpenApi: IOpenApiPart = {
  paths: {
    '/api/jobs/{id}/artifacts': {
      get: {
        operationId: 'listJobArtifacts',
        summary:
          "The run's artifacts (name, size, media type, sha256) and what the collection of its outputs/ dropped",
        tags,
        parameters: [JOB_ID_PARAMETER],
        responses: {
          '200': jsonResponse('The artifacts', 'ArtifactList'),
          ...errorResponses(404)
        }
      }
    },
    '/api/jobs/{id}/artifacts.zip': {
      get: {
        operationId: 'downloadJobArtifactsZip',
        summary: 'Every kept artifact of the run in one zip, streamed',
        tags,
        parameters: [JOB_ID_PARAMETER],
        responses: {
          '200': {
            description: 'The zip (attachment)',
            content: { 'application/zip': { schema: binary } }
          },
          ...errorResponses(404)
        }
      }
    },
    '/api/jobs/{id}/artifacts/{name}': {
      get: {
        operationId: 'downloadJobArtifact',
        summary:
          'One artifact, with its media type, as an attachment; Range requests answer 206',
        description:
          "The name is the artifact's path under outputs/, URL-encoded ('/' as %2F). ETag is the sha256. Retention-deleted content answers 410 ARTIFACT_DELETED.",
        tags,
        parameters: [
          JOB_ID_PARAMETER,
          pathParameter(
            'name',
            'The artifact name (path under outputs/, URL-encoded)',
            512
          ),
          {
            name: 'Range',
            in: 'header',
            description: 'bytes=start-end (one range)',
            schema: { type: 'string' }
          }
        ],
        responses: {
          '200': {
            description: 'The file',
            headers: {
              'Content-Disposition': { schema: { type: 'string' } },
              ETag: { schema: { type: 'string' } }
            },
            content: { '*/*': { schema: binary } }
          },
          '206': {
            description: 'The range asked for',
            headers: { 'Content-Range': { schema: { type: 'string' } } },
            content: { '*/*': { schema: binary } }
          },
          ...errorResponses(404, 410, 416)
        }
      }
    },
    '/api/jobs/{id}/table': {
      get: {
        operationId: 'readJobTable',
        summary:
          'One page of a table artifact (CSV, TSV, JSON lines, Parquet, .npy, .npz) or of the step series, sorted and filtered on the server',
        description:
          'The first open indexes the file (pages arrive while it is read; `complete` says when it is done); sorting and filtering wait for the whole index, then are cached.',
        tags,
        parameters: [
          JOB_ID_PARAMETER,
          query('artifact', 'The artifact name', {
            type: 'string',
            maxLength: 512
          }),
          query(
            'series',
            "Instead of artifact: the run's step series as one table (step, wall time, one column per metric)",
            { type: 'string', enum: ['1'] }
          ),
          query('member', 'The array of an .npz file', {
            type: 'string',
            maxLength: 512
          }),
          query(
            'offset',
            'First row of the page (of the sorted, filtered view)',
            { type: 'integer', minimum: 0, default: 0 }
          ),
          query('limit', 'Rows per page', {
            type: 'integer',
            minimum: 1,
            maximum: 1000,
            default: 100
          }),
          query('sort', 'Column to sort by (0-based)', {
            type: 'integer',
            minimum: 0
          }),
          query('order', 'asc (default) or desc', { enum: ['asc', 'desc'] }),
          query(
            'filter',
            'JSON array of TableFilter {column, op: contains|=|<|>, value}',
            { type: 'string' }
          )
        ],
        responses: {
          '200': jsonResponse('The page', 'TablePage'),
          ...errorResponses(400, 404, 410, 415)
        }
      }
    }
  }
};
