import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  FAILURE_MESSAGES,
  KERNEL_ERROR_NAMES
} from './generated/failure-messages.js';
import type { FailureId } from './index.js';
import {
  JaxLabError,
  SCHEMA_DOCUMENTS,
  failureOf,
  isValid,
  schemaId,
  shapeErrors
} from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module `file` imports, transitively, by specifier. */
function importsOf(file: string, seen = new Set<string>()): Set<string> {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'));
  for (const { fileName: spec } of importedFiles) {
    if (seen.has(spec)) continue;
    seen.add(spec);
    if (spec.startsWith('.'))
      importsOf(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen);
  }
  return seen;
}

describe('@jaxlab/schemas/contract', () => {
  it('should import nothing but its own modules (no ajv in a browser bundle)', () => {
    const imports = [...importsOf(join(here, 'contract.ts'))];
    expect(imports.filter(spec => !spec.startsWith('.'))).toEqual([]);
    expect(imports).toContain('./generated/shape-checks.js');
  });
});

describe('shapeErrors()', () => {
  it('should name what is missing from an answer', () => {
    expect(shapeErrors('log-page', { items: [], done: true })).toEqual([
      "(root) must have required property 'nextAfter'"
    ]);
    expect(
      shapeErrors('log-page', { items: [], nextAfter: 0, done: true })
    ).toEqual([]);
  });
});

describe('job-summary.schema.json', () => {
  it('should hold every field of Job but the code, files and requirements', () => {
    const doc = (name: string) =>
      SCHEMA_DOCUMENTS.find(
        d => d.$id === schemaId(name as 'job')
      ) as unknown as {
        properties: Record<string, unknown>;
        required: string[];
      };
    const job = doc('job');
    const summary = doc('job-summary');
    const without = (names: string[]) =>
      names.filter(n => !['code', 'files', 'requirements'].includes(n));
    expect(Object.keys(summary.properties)).toEqual(
      without(Object.keys(job.properties))
    );
    expect(summary.required).toEqual(without(job.required));
  });
});

describe('failureOf()', () => {
  it('should fill in the placeholders of a failure', () => {
    expect(failureOf('timeLimit', { limit: '30 s' })).toEqual({
      reason: 'TIMEOUT',
      message:
        'The job ran longer than its time limit of 30 s and was stopped.',
      hint: expect.stringContaining('timeLimitMs')
    });
  });

  it('should make a valid Failure of every entry of the table', () => {
    for (const id of Object.keys(FAILURE_MESSAGES) as FailureId[]) {
      const entry = FAILURE_MESSAGES[id];
      const names = `${entry.message} ${entry.hint}`.match(/\{\w+\}/g) ?? [];
      const params = Object.fromEntries(names.map(n => [n.slice(1, -1), 'x']));
      const failure = (failureOf as (id: string, p: object) => unknown)(
        id,
        params
      );
      expect(isValid('failure', failure), id).toBe(true);
      expect(JSON.stringify(failure), id).not.toMatch(/\{\w+\}/);
    }
  });

  it('should cut a long message to what the Failure schema allows', () => {
    const failure = failureOf('userError', {
      entrypoint: 'main',
      summary: 'x'.repeat(10_000)
    });
    expect(isValid('failure', failure)).toBe(true);
  });
});

describe('KERNEL_ERROR_NAMES', () => {
  it('should name each kernel error with a distinct Python identifier', () => {
    const names = Object.values(KERNEL_ERROR_NAMES);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
  });
});

describe('JaxLabError', () => {
  it("should carry its code's hint when the thrower gives none", () => {
    expect(new JaxLabError('RATE_LIMITED', 'slow down').hint).toMatch(/wait/i);
    expect(new JaxLabError('RATE_LIMITED', 'x', { hint: 'h' }).hint).toBe('h');
  });
});
