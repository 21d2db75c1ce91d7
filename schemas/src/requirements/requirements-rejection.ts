import { JaxLabError } from '../errors.js';
import type {
  RequirementsRejection,
  RequirementsRule
} from '../generated/types.js';

/**
 * The error of a refused requirements.txt line: `REQUIREMENTS_REJECTED`
 * saying `requirements.txt line <line>: <what>`, with `details` `{line,
 * rule}` and `hint` (without one, the code's: one PEP 508 requirement per
 * line).
 */
export function rejectRequirement(
  line: number,
  rule: RequirementsRule,
  what: string,
  hint?: string
): JaxLabError {
  const details: RequirementsRejection = { line, rule };
  return new JaxLabError(
    'REQUIREMENTS_REJECTED',
    `requirements.txt line ${line}: ${what}`,
    { hint, details }
  );
}
