import type {
  LiteralArgs,
  SearchParameter,
  SweepCreate
} from '@jaxlab/schemas/contract';
import { parsePythonLiteral } from '../arguments/python-literal.js';

/** How the sweep form sets one parameter. */
export type ParameterHow =
  'fixed' | 'values' | 'uniform' | 'log-uniform' | 'int';

/** What the user typed for one parameter. */
export interface IParameterInput {
  how: ParameterHow;
  /** `values`: comma-separated Python literals. */
  values: string;
  /** Ranges: the bounds as typed. */
  min: string;
  max: string;
}

/** The sweep form as typed (every field as text, as the inputs hold it). */
export interface ISweepFormInput {
  kind: 'grid' | 'random';
  name: string;
  /** Per settable parameter of the function, in signature order. */
  parameters: Record<string, IParameterInput>;
  /** Empty: a grid runs every combination (up to 1000). */
  runCap: string;
  seed: string;
  metric: string;
  direction: 'min' | 'max';
  maxConcurrent: string;
}

/** What the sweep runs, taken from the project and its run settings. */
export interface ISweepContext {
  projectId: string;
  code: string;
  requirements: string;
  entrypoint: string;
  accelerator?: SweepCreate['accelerator'];
  /** The run settings' values (text as typed) by parameter; absent: its default. */
  runSettings: Record<string, string>;
  /** Parameters without a default. */
  required: readonly string[];
}

/** Form fields an error belongs to: `param:<name>`, `runCap`, `seed`, `metric`, `maxConcurrent`, `name`, or '' (the form). */
export type SweepFormErrors = Record<string, string>;

/** The body of POST /api/sweeps the form makes, or why it cannot. */
export type SweepFormRequest =
  | { ok: true; body: SweepCreate; trials: number }
  | { ok: false; errors: SweepFormErrors };

/** Most trials a sweep may have (the schema's runCap maximum). */
export const MAX_TRIALS = 1000;

/**
 * The values of a "comma-separated" field: the text read as the items of
 * a Python list, so `0.1, 1e-3` and `'adam', 'sgd'` both work and a comma
 * inside a string stays in it.
 */
export function parseValueList(
  text: string
): { ok: true; values: LiteralArgs[string][] } | { ok: false; error: string } {
  if (!text.trim()) return { ok: false, error: 'give at least one value' };
  const parsed = parsePythonLiteral(`[${text}]`);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, values: parsed.value as LiteralArgs[string][] };
}

/**
 * The SweepCreate the form makes: swept parameters become the search
 * space, the others keep their run settings' values (or their defaults);
 * refused, per field, for what the form can tell on its own: unparsable
 * literals and numbers, a required parameter neither swept nor set, a
 * distribution in a grid, no parameter swept. Ranges, caps and names
 * are left to the server's schema, whose errors the form shows as they are.
 */
export function sweepRequest(
  input: ISweepFormInput,
  context: ISweepContext
): SweepFormRequest {
  const errors: SweepFormErrors = {};
  const parameters: Record<string, SearchParameter> = {};
  const args: LiteralArgs = {};
  let combinations = 1;
  for (const [name, param] of Object.entries(input.parameters)) {
    const key = `param:${name}`;
    if (param.how === 'fixed') {
      const text = context.runSettings[name]?.trim();
      if (!text) {
        if (context.required.includes(name))
          errors[key] =
            'required: sweep it, or give it a value in the run settings';
        continue;
      }
      const parsed = parsePythonLiteral(text);
      if (parsed.ok) args[name] = parsed.value;
      else errors[key] = `its run settings value: ${parsed.error}`;
    } else if (param.how === 'values') {
      const parsed = parseValueList(param.values);
      if (parsed.ok) {
        parameters[name] = { values: parsed.values };
        combinations *= parsed.values.length;
      } else errors[key] = parsed.error;
    } else if (input.kind === 'grid') {
      errors[key] = `a grid takes values; ${param.how} is for random sweeps`;
    } else {
      const min = number(param.min);
      const max = number(param.max);
      if (min === undefined || max === undefined)
        errors[key] = `${param.how} needs a number for min and max`;
      else parameters[name] = { distribution: param.how, min, max };
    }
  }
  if (!Object.keys(parameters).length && !Object.keys(errors).length)
    errors[''] = 'Sweep at least one parameter: give it values or a range.';
  let runCap = number(input.runCap);
  if (input.runCap.trim() === '' && input.kind === 'grid')
    runCap = Math.min(combinations, MAX_TRIALS);
  else if (runCap === undefined) errors.runCap = 'a number of runs';
  const seed = number(input.seed || '0');
  if (input.kind === 'random' && seed === undefined) errors.seed = 'a number';
  const maxConcurrent = number(input.maxConcurrent);
  if (maxConcurrent === undefined) errors.maxConcurrent = 'a number';
  if (Object.keys(errors).length) return { ok: false, errors };
  const body: SweepCreate = {
    projectId: context.projectId,
    code: context.code,
    requirements: context.requirements,
    entrypoint: context.entrypoint,
    ...(context.accelerator ? { accelerator: context.accelerator } : {}),
    ...(input.name.trim() ? { name: input.name.trim() } : {}),
    args,
    space: {
      kind: input.kind,
      parameters,
      runCap: runCap!,
      ...(input.kind === 'random' ? { seed: seed! } : {})
    },
    target: { metric: input.metric.trim(), direction: input.direction },
    maxConcurrent: maxConcurrent!
  };
  return {
    ok: true,
    body,
    trials: input.kind === 'grid' ? Math.min(combinations, runCap!) : runCap!
  };
}

/**
 * The form field a server validation message is about: schema messages
 * start with the JSON pointer of the value (`/space/runCap must be <=
 * 1000`), the search space's own with `Parameter <name>:`.
 */
export function fieldOfError(message: string): string {
  const parameter = /^(?:\/space\/parameters\/|Parameter )([A-Za-z_]\w*)/.exec(
    message
  );
  if (parameter) return `param:${parameter[1]}`;
  const pointer = /^\/(?:space\/|target\/)?(\w+)/.exec(message)?.[1];
  return pointer && FIELDS.includes(pointer) ? pointer : '';
}

const FIELDS = ['runCap', 'seed', 'metric', 'maxConcurrent', 'name'];

/** A number typed in a field; undefined when it is empty or not a number. */
function number(text: string): number | undefined {
  const value = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(value) ? value : undefined;
}
