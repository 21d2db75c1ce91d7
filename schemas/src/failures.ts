import type { Failure } from './generated/types.js';
import {
  FAILURE_MESSAGES,
  KERNEL_ERROR_NAMES
} from './generated/failure-messages.js';

export { KERNEL_ERROR_NAMES };

/** Id of an entry of the failure table (`json/failure-messages.json`). */
export type FailureId = keyof typeof FAILURE_MESSAGES;

/** The `{placeholder}` names in a message template. */
type Placeholders<S extends string> =
  S extends `${string}{${infer Name}}${infer Rest}`
    ? Name | Placeholders<Rest>
    : never;

/** What {@link failureOf} needs to fill in the entry `id`. */
export type FailureParams<Id extends FailureId> = Record<
  Placeholders<(typeof FAILURE_MESSAGES)[Id]['message' | 'hint'] & string>,
  string | number
>;

/** Longest failure message and hint the Failure schema allows. */
const MAX_MESSAGE = 4000;
const MAX_HINT = 1000;

/**
 * The failure `id` of the shared table, its `{placeholders}` filled in from
 * `params` (the compiler checks that every one is given) and cut to the
 * lengths the Failure schema allows.
 *
 * @example
 * ```ts
 * failureOf('timeLimit', { limit: '30 s' });
 * // { reason: 'TIMEOUT', message: 'The job ran longer than its time limit of 30 s and was stopped.', hint: '...' }
 * ```
 */
export function failureOf<Id extends FailureId>(
  id: Id,
  ...[params]: keyof FailureParams<Id> extends never
    ? [params?: Record<string, never>]
    : [params: FailureParams<Id>]
): Failure {
  const entry = FAILURE_MESSAGES[id];
  const fill = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params && Object.hasOwn(params, name)
        ? String((params as Record<string, string | number>)[name])
        : whole
    );
  return {
    reason: entry.reason,
    message: fill(entry.message).slice(0, MAX_MESSAGE),
    hint: fill(entry.hint).slice(0, MAX_HINT)
  };
}
