import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  PROJECT_ID_PARAMETER,
  errorResponses,
  jsonRequestBody,
  jsonResponse,
  pathParameter
} from '../openapi/openapi-builders.js';

const fileParam = pathParameter(
  'path',
  "The file's path in the project, URL-encoded as one segment (utils%2Fdata.py); main.py, README.md and requirements.txt are the project's own files",
  1000
);
const fileRefusals =
  'A path or size a project may not have answers 400 PROJECT_FILE_REJECTED with details {path, rule} (docs/projects.md lists the rules), and nothing is saved.';

/** OpenAPI description of `createProjectsRouter()` at `/api/projects`. */
export const projectsOpenApi: IOpenApiPart = {
  paths: {
    '/api/projects': {
      post: {
        operationId: 'createProject',
        summary:
          'Creates a project (name required), or one from a sample problem ({sample})',
        description: `A requirements.txt line that is more than a PEP 508 requirement (options, URLs, paths, ...) answers 400 REQUIREMENTS_REJECTED with details {line, rule}. ${fileRefusals}`,
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
        description: `A requirements.txt line that is more than a PEP 508 requirement (options, URLs, paths, ...) answers 400 REQUIREMENTS_REJECTED with details {line, rule}. ${fileRefusals}`,
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
    },
    '/api/projects/{id}/files/{path}': {
      put: {
        operationId: 'writeProjectFile',
        summary: 'Adds a file to one of your projects, or replaces its text',
        description: `${fileRefusals} requirements.txt is checked line by line like a project save (REQUIREMENTS_REJECTED).`,
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER, fileParam],
        requestBody: jsonRequestBody('ProjectFileWrite'),
        responses: {
          '200': jsonResponse('The file was replaced: the project', 'Project'),
          '201': jsonResponse('The file was added: the project', 'Project'),
          ...errorResponses(400, 401, 404)
        }
      },
      patch: {
        operationId: 'renameProjectFile',
        summary: 'Renames (or moves) a file of one of your projects',
        description: `${fileRefusals} main.py, README.md and requirements.txt cannot be renamed (rule required); a file that exists at the new path answers 409 CONFLICT.`,
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER, fileParam],
        requestBody: jsonRequestBody('ProjectFileMove'),
        responses: {
          '200': jsonResponse('The project', 'Project'),
          ...errorResponses(400, 401, 404, 409)
        }
      },
      delete: {
        operationId: 'deleteProjectFile',
        summary: 'Deletes a file of one of your projects',
        description:
          'main.py, README.md and requirements.txt cannot be deleted (400 PROJECT_FILE_REJECTED, rule required); a missing file answers 404 NOT_FOUND.',
        tags: ['projects'],
        parameters: [PROJECT_ID_PARAMETER, fileParam],
        responses: {
          '200': jsonResponse('The project', 'Project'),
          ...errorResponses(400, 401, 404)
        }
      }
    }
  }
};
