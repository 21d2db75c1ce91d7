import type { SchemaName, ShapeName } from '@jaxlab/schemas';
import {
  SCHEMA_DOCUMENTS,
  SHAPE_NAMES,
  shapeErrors,
  validationErrors
} from '@jaxlab/schemas';

/**
 * A fetch that holds every answer of a JAX TPU Lab server to the API's
 * contract, as the server's own OpenAPI document (`createLabServer` mounts
 * the whole API, in tests as in production) states it: the operation's
 * documented response for that status (or `default`), its media type, and
 * the body against the JSON Schema the document names, with the ajv
 * validators of `@jaxlab/schemas` and, for the schemas the lab extension
 * reads, the browser's precompiled checks too (so the two cannot drift
 * apart). A path or method the document does not know must answer the
 * error envelope. Only requests for the API's paths (`/api/...`, `/login`,
 * `/auth/...`) are looked at, and only on origins that answer
 * `/api/openapi.json` with this API's document: stand-ins for Google or
 * Gemini are never asked anything. An answer that breaks the contract
 * rejects the fetch, so the test that made the request fails.
 *
 * Server-Sent Events are not read here (a stream may not end); the tests'
 * SSE reader checks each event.
 */
export function checkedFetch(fetchImpl: typeof fetch): typeof fetch {
  const documents = new Map<string, Promise<IOpenApiDocument | null>>();
  const documentOf = (origin: string): Promise<IOpenApiDocument | null> => {
    let doc = documents.get(origin);
    if (!doc) {
      doc = fetchImpl(`${origin}/api/openapi.json`)
        .then(async res =>
          res.ok ? ((await res.json()) as IOpenApiDocument) : null
        )
        .then(d => (d?.info?.title === LAB_API_TITLE ? d : null))
        .catch(() => null);
      documents.set(origin, doc);
    }
    return doc;
  };
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    const url = new URL(response.url || requestUrl(input));
    const method = (
      init?.method ?? (input instanceof Request ? input.method : 'GET')
    ).toLowerCase();
    if (!/^\/(api\/|login$|auth\/)/.test(url.pathname)) return response;
    if (url.pathname === '/api/openapi.json') return response;
    const doc = await documentOf(url.origin);
    if (doc) {
      const problems = await breaches(doc, method, url.pathname, response);
      if (problems.length > 0) {
        throw new Error(
          `${method.toUpperCase()} ${url.pathname} answered ${response.status} against its contract:\n  ${problems.join('\n  ')}`
        );
      }
    }
    return response;
  };
}

/** Installs {@link checkedFetch} as the global fetch (a vitest setup file). */
export function installCheckedFetch(): void {
  globalThis.fetch = checkedFetch(globalThis.fetch.bind(globalThis));
}

const LAB_API_TITLE = 'JAX TPU Lab control plane';

interface IOpenApiDocument {
  info?: { title?: string };
  paths: Record<string, Record<string, IOperation>>;
}

interface IOperation {
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string } }> }
  >;
}

/** What is wrong with `response` as an answer of `method path`. */
async function breaches(
  doc: IOpenApiDocument,
  method: string,
  path: string,
  response: Response
): Promise<string[]> {
  // A path or method the document does not know answers the error envelope.
  const operation: IOperation = operationOf(doc, method, path) ?? {
    responses: { default: jsonOf('ApiError') }
  };
  const documented =
    operation.responses[String(response.status)] ?? operation.responses.default;
  if (!documented) return [`status ${response.status} is not documented`];
  // No content (204, redirects, HEAD): whatever the body, not checked.
  if (!documented.content || method === 'head' || response.status === 204)
    return [];
  const type = (response.headers.get('content-type') ?? '').split(';')[0];
  // Streams, pages for people (sign-in, sign-out) and CSV downloads are
  // not JSON bodies.
  if (
    (type === 'text/event-stream' ||
      type === 'text/html' ||
      type === 'text/csv') &&
    documented.content[type]
  )
    return [];
  // Downloads document `*/*`: any media type, a binary body.
  const media = documented.content[type] ?? documented.content['*/*'];
  if (!media) {
    return [
      `content-type '${type}' is not documented (${Object.keys(documented.content).join(', ')})`
    ];
  }
  if ((media.schema as { format?: string } | undefined)?.format === 'binary')
    return [];
  const name = schemaNameOf(media.schema?.$ref);
  if (!name) {
    return [`the body's schema is not one of schemas/json`];
  }
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return ['the body is not JSON'];
  }
  return contractErrors(name, body);
}

/**
 * What is wrong with `body` under schema `name`: ajv's findings, and the
 * browser's precompiled check's for the schemas the lab extension reads.
 */
export function contractErrors(name: SchemaName, body: unknown): string[] {
  const problems = validationErrors(name, structuredClone(body)).map(
    e => `${name}: ${e}`
  );
  if ((SHAPE_NAMES as readonly string[]).includes(name)) {
    problems.push(
      ...shapeErrors(name as ShapeName, body).map(
        e => `${name} (browser check): ${e}`
      )
    );
  }
  return problems;
}

function operationOf(
  doc: IOpenApiDocument,
  method: string,
  path: string
): IOperation | undefined {
  for (const [template, item] of Object.entries(doc.paths)) {
    if (templatePattern(template).test(path))
      return item[method] ?? (method === 'head' ? item.get : undefined);
  }
  return undefined;
}

/** `/api/jobs/{id}` → /^\/api\/jobs\/[^/]+\/?$/ */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{[^}/]+\}/g, '[^/]+')}/?$`);
}

/** `#/components/schemas/JobPage` → `job-page`, when schemas/json has it. */
function schemaNameOf(ref: string | undefined): SchemaName | undefined {
  const title = /^#\/components\/schemas\/([^/]+)$/.exec(ref ?? '')?.[1];
  const doc = SCHEMA_DOCUMENTS.find(d => d.title === title);
  return doc
    ? (/\/schemas\/([^/]+)\/v1$/.exec(doc.$id)![1] as SchemaName)
    : undefined;
}

function jsonOf(component: string) {
  return {
    content: {
      'application/json': {
        schema: { $ref: `#/components/schemas/${component}` }
      }
    }
  };
}

function requestUrl(input: Parameters<typeof fetch>[0]): string {
  return input instanceof Request ? input.url : String(input);
}
