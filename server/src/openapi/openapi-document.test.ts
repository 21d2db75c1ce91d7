import { describe, expect, it } from 'vitest';
import { jobsOpenApi } from '../jobs/jobs-openapi.js';
import { coreOpenApi } from './core-openapi.js';
import { createOpenApiDocument } from './openapi-document.js';

describe('createOpenApiDocument()', () => {
  it('should refuse two parts that define the same operation', () => {
    expect(() =>
      createOpenApiDocument({
        version: '0',
        parts: [coreOpenApi, jobsOpenApi, jobsOpenApi]
      })
    ).toThrow(/defined twice/);
  });
});
