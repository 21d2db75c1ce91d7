import type { Literal, LiteralArgs } from '@jaxlab/schemas';
import { JaxLabError } from '@jaxlab/schemas';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * The cell that calls a designated function with literal keyword
 * arguments, e.g. `main(steps=100, lr=0.01, name='run', flags=[True, None])`.
 * JSON values become Python literals (null → None, true → True, objects →
 * dicts with string keys); nothing else can appear in the cell.
 *
 * @throws JaxLabError `INVALID_REQUEST` for a bad name or a non-finite number.
 */
export function renderDesignatedCall(
  entrypoint: string,
  args: LiteralArgs = {}
): string {
  if (!IDENTIFIER.test(entrypoint)) {
    throw new JaxLabError(
      'INVALID_REQUEST',
      `"${entrypoint}" is not a function name`
    );
  }
  const parts = Object.entries(args).map(([name, value]) => {
    if (!IDENTIFIER.test(name)) {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `"${name}" is not an argument name`
      );
    }
    return `${name}=${renderPythonLiteral(value)}`;
  });
  return `${entrypoint}(${parts.join(', ')})`;
}

/** One JSON value as a Python literal expression. */
export function renderPythonLiteral(value: Literal): string {
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `${value} is not a literal number`
      );
    }
    return String(value);
  }
  if (typeof value === 'string') {
    // A JSON string literal is a valid Python str literal (same escapes).
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(renderPythonLiteral).join(', ')}]`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(
        ([k, v]) => `${JSON.stringify(k)}: ${renderPythonLiteral(v as Literal)}`
      )
      .join(', ')}}`;
  }
  throw new JaxLabError(
    'INVALID_REQUEST',
    `Unsupported argument ${String(value)}`
  );
}
