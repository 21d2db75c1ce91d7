import type { OpenApiPaths } from './openapi-builders.js';
import { schemaComponents } from './schema-components.js';

/**
 * The OpenAPI description of one part of the server (a router): its paths.
 * Each router module exports one beside itself, so a route and its doc
 * change together. Bodies refer to the components, which are the JSON
 * Schemas of `@jaxlab/schemas` and nothing else: a new body shape is a new
 * schema in schemas/json.
 */
export interface IOpenApiPart {
  paths: OpenApiPaths;
}

/** Options of {@link createOpenApiDocument}. */
export interface IOpenApiOptions {
  /** The server's version (info.version). */
  version: string;
  /** The parts to describe; paths given twice are merged per method. */
  parts: readonly IOpenApiPart[];
}

/**
 * The server's OpenAPI 3.1 document: components from the JSON Schemas of
 * `@jaxlab/schemas` (see {@link schemaComponents}), every part's paths,
 * and the two ways to sign in: a bearer API token or the session cookie.
 * Operations are protected unless they say `security: []`.
 *
 * @throws Error when two parts define the same operation.
 */
export function createOpenApiDocument(
  options: IOpenApiOptions
): Record<string, unknown> {
  const paths: OpenApiPaths = {};
  for (const part of options.parts) {
    for (const [path, item] of Object.entries(part.paths)) {
      const merged = (paths[path] ??= {});
      for (const [method, operation] of Object.entries(item)) {
        if (merged[method] !== undefined)
          throw new Error(
            `OpenAPI operation ${method.toUpperCase()} ${path} is defined twice`
          );
        merged[method] = operation;
      }
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'JAX TPU Lab control plane',
      version: options.version,
      description:
        "Jobs, projects, code review and accounts of JAX TPU Lab. Every error answers the ApiError envelope {reason, message, code, hint}; every document is scoped to the signed-in user (another user's answers 404).",
      license: { name: 'BSD-3-Clause', identifier: 'BSD-3-Clause' }
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    paths: Object.fromEntries(
      Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))
    ),
    components: {
      schemas: schemaComponents(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A personal API token (POST /api/tokens), or the local login token in single-user mode.'
        },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: 'jaxlab.sid',
          description:
            'The session cookie set by sign-in; state-changing requests must also come from an allowed Origin.'
        }
      }
    }
  };
}
