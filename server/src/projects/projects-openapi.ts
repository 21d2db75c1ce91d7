import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  PROJECT_ID_PARAMETER,
  errorResponses,
  jsonRequestBody,
  jsonResponse
} from '../openapi/openapi-builders.js';

/** OpenAPI description of `createProjectsRouter()` at `/api/projects`. */
export const projectsOpenApi: IOpenApiPart = {
  paths: {
    '/api/projects': {
      post: {
        operationId: 'createProject',
        summary:
          'Creates a project (name required), or one from a sample problem ({sample})',
        description:
          'A requirements.txt line that is more than a PEP 508 requirement (options, URLs, paths, ...) answers 400 REQUIREMENTS_REJECTED with details {line, rule}.',
        tags: ['projects'],
        requestBody: jsonRequestBody('ProjectWrite'),
        responses: {
          '201': jsonResponse('The project', 'Project'),
          ...errorResponses(400, 401)
        }
      },
      get: {
        operationId: 'listProjects',
        summary: 'Your projects',
        tags: ['projects'],
        responses: {
          '200': jsonResponse('The projects', 'ProjectList'),
          ...errorResponses(401)
        }
      }
    },
    '/api/projects/{id}': {
      get: {
        operationId: 'getProject',
        summary: 'One of your projects',
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER],
        responses: {
          '200': jsonResponse('The project', 'Project'),
          ...errorResponses(401, 404)
        }
      },
      patch: {
        operationId: 'updateProject',
        summary: 'Changes fields of one of your projects',
        description:
          'A requirements.txt line that is more than a PEP 508 requirement (options, URLs, paths, ...) answers 400 REQUIREMENTS_REJECTED with details {line, rule}.',
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER],
        requestBody: jsonRequestBody('ProjectWrite'),
        responses: {
          '200': jsonResponse('The changed project', 'Project'),
          ...errorResponses(400, 401, 404)
        }
      },
      delete: {
        operationId: 'deleteProject',
        summary: 'Deletes one of your projects (its jobs stay)',
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER],
        responses: {
          '204': { description: 'Deleted' },
          ...errorResponses(401, 404)
        }
      }
    }
  }
};
