import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import express from 'express';
import type { IJobsServer } from './jobs-server.js';
import {
  MAIN_PY,
  logLines,
  runAsGateway,
  startJobsServer
} from './jobs-server.js';

const VENV_PYTHON = labPaths().python;
// The OpenAPI 3.1 meta-schema schemathesis itself checks documents with.
const VALIDATE = `import json,sys,jsonschema
from schemathesis.specs.openapi.definitions import OPENAPI_31
jsonschema.Draft202012Validator(OPENAPI_31).validate(json.load(sys.stdin))`;
// Validates [ref, body] pairs against the document's component schemas.
const VALIDATE_BODIES = `import json,sys,jsonschema
doc, pairs = json.load(sys.stdin)
for ref, body in pairs:
    jsonschema.Draft202012Validator({**doc, '$ref': ref}, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(body)`;

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach(v => refsOf(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, part) =>
        (node as Record<string, unknown> | undefined)?.[
          part.replace(/~1/g, '/').replace(/~0/g, '~')
        ],
      doc
    );
}

describe('createLabServer() GET /api/openapi.json', () => {
  it('should serve a valid OpenAPI 3.1 document whose every $ref resolves inside it', async () => {
    const extra = express.Router();
    server = await startJobsServer({
      routers: [
        {
          path: '/api/extra',
          router: extra,
          openapi: {
            paths: {
              '/api/extra': {
                get: {
                  operationId: 'extra',
                  responses: { '204': { description: 'none' } }
                }
              }
            }
          }
        }
      ]
    });
    const res = await server.call('GET', '/api/openapi.json', { user: '' });
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    const check = spawnSync(VENV_PYTHON, ['-c', VALIDATE], {
      input: JSON.stringify(doc),
      encoding: 'utf8',
      timeout: 30_000
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    for (const ref of refsOf(doc)) {
      expect(ref.startsWith('#/components/'), ref).toBe(true);
      expect(resolvePointer(doc, ref), ref).toBeDefined();
    }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/jobs',
        '/api/jobs/{id}',
        '/api/jobs/{id}/events',
        '/api/jobs/{id}/notebook',
        '/api/hosts',
        '/api/health',
        '/api/extra'
      ])
    );
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(doc.components.securitySchemes).toHaveProperty('cookieAuth');
  });

  it('should describe the responses the server really sends', async () => {
    server = await startJobsServer();
    const doc = await (await server.call('GET', '/api/openapi.json')).json();
    const pairs: Array<[string, unknown]> = [];
    const expectMatches = async (
      res: Response,
      path: string,
      method: string,
      status: number
    ) => {
      expect(res.status).toBe(status);
      const responses = doc.paths[path][method].responses;
      const response = responses[String(status)] ?? responses.default;
      const schemaRef =
        response.content['application/json']?.schema ??
        response.content['application/x-ipynb+json'].schema;
      const body = await res.json();
      pairs.push([schemaRef.$ref, body]);
      return body;
    };
    const accepted = await expectMatches(
      await server.call('POST', '/api/jobs', {
        body: { code: MAIN_PY, args: { n: [1, { a: null }] } }
      }),
      '/api/jobs',
      'post',
      202
    );
    const id = accepted.jobId;
    await runAsGateway(server.store, id, [
      ...logLines(1, 3),
      {
        type: 'job:metrics',
        metrics: {
          compilationTimeMs: 1,
          executionTimeMs: 2,
          values: { accuracy: 1 },
          device: { platform: 'cpu', count: 1 }
        }
      }
    ]);
    await server.store.events.setManifest(id, {
      codeSha256: 'a'.repeat(64),
      requirementsSha256: 'b'.repeat(64),
      entrypoint: 'main',
      args: {},
      host: 'host-1',
      gatewayVersion: '0.1.0'
    });
    await expectMatches(
      await server.call('GET', `/api/jobs/${id}`),
      '/api/jobs/{id}',
      'get',
      200
    );
    await expectMatches(
      await server.call('GET', '/api/jobs'),
      '/api/jobs',
      'get',
      200
    );
    await expectMatches(
      await server.call('GET', `/api/jobs/${id}/logs?limit=2`),
      '/api/jobs/{id}/logs',
      'get',
      200
    );
    await expectMatches(
      await server.call('POST', `/api/jobs/${id}/cancel`),
      '/api/jobs/{id}/cancel',
      'post',
      202
    );
    await expectMatches(
      await server.call('GET', `/api/jobs/${id}/notebook`),
      '/api/jobs/{id}/notebook',
      'get',
      200
    );
    await expectMatches(
      await server.call('GET', '/api/hosts'),
      '/api/hosts',
      'get',
      200
    );
    await expectMatches(
      await server.call('GET', '/api/health'),
      '/api/health',
      'get',
      200
    );
    await expectMatches(
      await server.call('GET', '/api/jobs/nope'),
      '/api/jobs/{id}',
      'get',
      404
    );
    await expectMatches(
      await server.call('POST', '/api/jobs', { body: {} }),
      '/api/jobs',
      'post',
      400
    );
    const check = spawnSync(VENV_PYTHON, ['-c', VALIDATE_BODIES], {
      input: JSON.stringify([doc, pairs]),
      encoding: 'utf8',
      timeout: 30_000
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
