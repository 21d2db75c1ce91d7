import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  SHAPE_NAMES,
  hasShape,
  isValid,
  type SchemaName,
  type ShapeName
} from './index.js';

// One shared runner for the golden fixtures in schemas/fixtures/: every file
// under valid/<schema>/ must validate, every file under invalid/<schema>/
// must not. The Python harness runs the same fixtures (harness/tests), and
// the browser's precompiled checks must agree with ajv on their schemas.
const root = fileURLToPath(new URL('../fixtures/', import.meta.url));

function fixtures(kind: 'valid' | 'invalid'): [string, SchemaName, unknown][] {
  return readdirSync(join(root, kind)).flatMap(schema =>
    readdirSync(join(root, kind, schema)).map(
      file =>
        [
          `${schema}/${file}`,
          schema as SchemaName,
          JSON.parse(readFileSync(join(root, kind, schema, file), 'utf8'))
        ] as [string, SchemaName, unknown]
    )
  );
}

describe('isValid() on golden fixtures', () => {
  it.each(fixtures('valid'))('should accept valid/%s', (_, schema, value) => {
    expect(isValid(schema, value)).toBe(true);
  });
  it.each(fixtures('invalid'))(
    'should reject invalid/%s',
    (_, schema, value) => {
      expect(isValid(schema, value)).toBe(false);
    }
  );
});

const shapeChecked = (kind: 'valid' | 'invalid') =>
  fixtures(kind).filter(([, schema]) =>
    (SHAPE_NAMES as readonly string[]).includes(schema)
  );

describe('hasShape() on golden fixtures', () => {
  it.each(shapeChecked('valid'))(
    'should accept valid/%s',
    (_, schema, value) => {
      expect(hasShape(schema as ShapeName, value)).toBe(true);
    }
  );
  it.each(shapeChecked('invalid'))(
    'should reject invalid/%s',
    (_, schema, value) => {
      expect(hasShape(schema as ShapeName, value)).toBe(false);
    }
  );
});
