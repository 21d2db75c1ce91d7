import type { Literal, LiteralArgs } from './generated/types.js';

/**
 * A JSON literal as Python source: `null`/`true`/`false` become
 * `None`/`True`/`False`, strings use JSON's escapes (all valid in Python),
 * arrays become lists and objects dicts.
 *
 * @example
 * ```ts
 * pythonLiteral({ lr: 0.1, tags: ['a'], on: true }); // "{'lr': 0.1, 'tags': ['a'], 'on': True}"
 * ```
 */
export function pythonLiteral(value: Literal): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new RangeError(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${pythonString(k)}: ${pythonLiteral(v)}`)
    .join(', ')}}`;
}

/**
 * The designated call as Python source, arguments as keyword literals: the
 * call as made, as run headers, lists, comparisons and notebooks show it.
 *
 * @example
 * ```ts
 * pythonCall('train_step', { steps: 100, seed: 0 }); // 'train_step(steps=100, seed=0)'
 * ```
 */
export function pythonCall(entrypoint: string, args: LiteralArgs): string {
  const kwargs = Object.entries(args).map(
    ([k, v]) => `${k}=${pythonLiteral(v)}`
  );
  return `${entrypoint}(${kwargs.join(', ')})`;
}

function pythonString(text: string): string {
  // JSON escapes (\" \\ \n \t \uXXXX ...) mean the same in a Python str;
  // single quotes match Python's repr().
  const json = JSON.stringify(text);
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}
