import type { IOpenApiPart } from '../openapi/openapi-document.js';
import {
  errorResponses,
  jsonRequestBody,
  jsonResponse
} from '../openapi/openapi-builders.js';

/** OpenAPI description of `createSignaturesRouter`. */
export const signaturesOpenApi: IOpenApiPart = {
  paths: {
    '/api/signatures': {
      post: {
        operationId: 'readSignatures',
        summary:
          "The designated functions' parameters (names, kinds, defaults, annotations), read from main.py without running it",
        tags: ['projects'],
        requestBody: jsonRequestBody('SignatureRequest'),
        responses: {
          '200': jsonResponse('The signatures', 'FunctionSignatures'),
          ...errorResponses(400)
        }
      }
    }
  }
};
