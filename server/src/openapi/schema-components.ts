import { SCHEMA_DOCUMENTS } from '@jaxlab/schemas';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

const ID_PREFIX = 'https://jaxlab.dev/schemas/';

/**
 * The schema documents of `@jaxlab/schemas` as OpenAPI components, keyed
 * by their `title` (`Job`, `JobCreate`, ...). `$id`/`$schema` are dropped
 * and every `$ref` becomes a pointer into the OpenAPI document:
 * `https://jaxlab.dev/schemas/job-create/v1#/$defs/literal` and, inside
 * job-create, `#/$defs/literal` both become
 * `#/components/schemas/JobCreate/$defs/literal`.
 */
export function schemaComponents(): Record<string, JsonSchema> {
  const titleOfId = new Map<string, string>();
  for (const doc of SCHEMA_DOCUMENTS as unknown as JsonSchema[]) {
    titleOfId.set(String(doc.$id), String(doc.title));
  }
  const out: Record<string, JsonSchema> = {};
  for (const doc of SCHEMA_DOCUMENTS as unknown as JsonSchema[]) {
    const title = String(doc.title);
    const { $id: _id, $schema: _dialect, ...rest } = doc;
    out[title] = rewriteRefs(rest, title, titleOfId) as JsonSchema;
  }
  return out;
}

/** The pointer to component `name`, e.g. `#/components/schemas/Job`. */
export function componentRef(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}

function rewriteRefs(
  value: unknown,
  title: string,
  titleOfId: Map<string, string>
): unknown {
  if (Array.isArray(value))
    return value.map(v => rewriteRefs(v, title, titleOfId));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof v === 'string'
        ? rewriteRef(v, title, titleOfId)
        : rewriteRefs(v, title, titleOfId);
  }
  return out;
}

function rewriteRef(
  ref: string,
  title: string,
  titleOfId: Map<string, string>
): string {
  if (ref.startsWith('#'))
    return `#/components/schemas/${title}${ref.slice(1)}`;
  if (!ref.startsWith(ID_PREFIX)) return ref;
  const [id, fragment = ''] = ref.split('#');
  const target = titleOfId.get(id);
  if (!target) throw new Error(`Unresolvable $ref ${ref} in schema ${title}`);
  return `#/components/schemas/${target}${fragment}`;
}
