import * as checks from './generated/shape-checks.js';
import type { ISchemaTypes } from './generated/types.js';

/** A precompiled check: ajv standalone code, with ajv's error objects. */
type CompiledCheck = ((value: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};

/**
 * Schemas with a precompiled check (the answers the lab extension reads,
 * the job events and the error envelope).
 */
export type ShapeName = Extract<
  keyof ISchemaTypes,
  (typeof checks.SHAPE_CHECKED)[number]
>;

/** The schemas with a precompiled check. */
export const SHAPE_NAMES = checks.SHAPE_CHECKED as readonly ShapeName[];

function checkOf(name: ShapeName): CompiledCheck {
  const exported = name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  return (checks as unknown as Record<string, CompiledCheck>)[exported];
}

/**
 * Whether `value` has the shape of schema `name`. Runs code ajv generated
 * from the schema at build time (no ajv at run time, no `eval`), so the
 * browser applies the same rules as the server, formats aside.
 *
 * @example
 * ```ts
 * if (!hasShape('job-page', body)) throw ...;
 * body.items; // JobSummary[]
 * ```
 */
export function hasShape<N extends ShapeName>(
  name: N,
  value: unknown
): value is ISchemaTypes[N] {
  return checkOf(name)(value);
}

/** Why `value` does not have the shape of schema `name` ([] when it does). */
export function shapeErrors(name: ShapeName, value: unknown): string[] {
  const check = checkOf(name);
  if (check(value)) return [];
  return (check.errors ?? []).map(
    e => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`
  );
}
