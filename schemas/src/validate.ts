import {
  Ajv2020,
  type ErrorObject,
  type ValidateFunction
} from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { JaxLabError } from './errors.js';
import { SCHEMA_DOCUMENTS } from './generated/schema-documents.js';
import type { ISchemaTypes, SchemaName } from './generated/types.js';

// ajv-formats is CommonJS; under NodeNext its default export is the module.
const addFormats =
  addFormatsModule as unknown as typeof addFormatsModule.default;

/** The `$id` of schema `name`, version 1. */
export function schemaId(name: SchemaName): string {
  return `https://jaxlab.dev/schemas/${name}/v1`;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function validatorOf<N extends SchemaName>(name: N): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    if (!ajv) {
      ajv = new Ajv2020({
        allErrors: true,
        useDefaults: true,
        strict: false,
        schemas: SCHEMA_DOCUMENTS as unknown as object[]
      });
      addFormats(ajv);
    }
    fn = ajv.getSchema(schemaId(name));
    if (!fn) throw new Error(`Unknown schema ${name}`);
    compiled.set(name, fn);
  }
  return fn;
}

/** Whether `value` is valid under schema `name` (defaults are filled in). */
export function isValid<N extends SchemaName>(
  name: N,
  value: unknown
): value is ISchemaTypes[N] {
  return validatorOf(name)(value) as boolean;
}

/** Validation errors of `value` under schema `name`, as readable lines. */
export function validationErrors(name: SchemaName, value: unknown): string[] {
  const fn = validatorOf(name);
  if (fn(value)) return [];
  return (fn.errors ?? []).map(describeError);
}

/**
 * Asserts `value` is valid under schema `name`, filling in defaults.
 *
 * @throws {@link JaxLabError} `INVALID_REQUEST` listing what is wrong.
 * @example
 * ```ts
 * assertValid('job-create', req.body);
 * const job: JobCreate = req.body;
 * ```
 */
export function assertValid<N extends SchemaName>(
  name: N,
  value: unknown,
  what = name as string
): asserts value is ISchemaTypes[N] {
  const errors = validationErrors(name, value);
  if (errors.length > 0) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      `Invalid ${what}: ${errors.slice(0, 5).join('; ')}`,
      {
        hint: `Fix the listed fields; the schema is ${schemaId(name)}.`,
        details: errors
      }
    );
  }
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown property '${String(
      (e.params as { additionalProperty: string }).additionalProperty
    )}'`;
  }
  return `${where} ${e.message ?? 'is invalid'}`;
}
