import { JaxLabError } from '@jaxlab/schemas';
import type { IJobs } from './contract.js';

/** The operators of a metric filter, as SQL and MongoDB spell them. */
export const METRIC_OPERATORS = {
  '<': { sql: '<', mongo: '$lt' },
  '<=': { sql: '<=', mongo: '$lte' },
  '=': { sql: '=', mongo: '$eq' },
  '>=': { sql: '>=', mongo: '$gte' },
  '>': { sql: '>', mongo: '$gt' }
} as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_ .\-/]{0,63}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Checks the filters of a job list, so neither backend ever puts an
 * unchecked name into a JSON path or a query.
 *
 * @throws JaxLabError `INVALID_REQUEST` for a bad argument or metric name,
 *   an unknown operator or a value that is not a finite number.
 */
export function checkJobFilters(
  query: Pick<IJobs.IQuery, 'args' | 'metric'>
): void {
  for (const name of Object.keys(query.args ?? {})) {
    if (!IDENTIFIER.test(name)) {
      throw new JaxLabError(
        'INVALID_REQUEST',
        `No argument can be named ${name}.`,
        {
          hint: 'Filter on an argument by its Python name, e.g. lr=0.1.'
        }
      );
    }
  }
  const metric = query.metric;
  if (metric) {
    if (
      !NAME.test(metric.name) ||
      !(metric.op in METRIC_OPERATORS) ||
      !Number.isFinite(metric.value)
    ) {
      throw new JaxLabError('INVALID_REQUEST', 'Not a metric filter.', {
        hint: 'Write it as <name><op><number>, e.g. loss<0.5 (op: < <= = >= >).'
      });
    }
  }
}

/** Rows `rank` answers at most, and by default. */
export const RANK_LIMIT = { max: 10_000, default: 100 } as const;

/**
 * Checks a ranking query as {@link checkJobFilters} does a list's.
 *
 * @throws JaxLabError `INVALID_REQUEST`.
 */
export function checkRankQuery(query: IJobs.IRankQuery): void {
  checkJobFilters({
    args: query.args,
    metric: { name: query.metric, op: '=', value: 0 }
  });
  if (query.direction !== 'min' && query.direction !== 'max') {
    throw new JaxLabError('INVALID_REQUEST', 'Rank by min or max.', {
      hint: 'Pass direction=min (lower is better) or direction=max.'
    });
  }
}

/** The page size of a ranking. */
export function rankLimit(limit: number | undefined): number {
  return Math.max(1, Math.min(RANK_LIMIT.max, limit ?? RANK_LIMIT.default));
}
