import type { Request } from 'express';
import { JOB_STATUSES } from '@jaxlab/schemas';
import type { IJobs } from '@jaxlab/store';
import { HttpError } from '@jaxlab/http';
import {
  queryEnumList,
  queryInteger,
  queryString
} from '../http/request-params.js';

const METRIC = /^([A-Za-z_][A-Za-z0-9_ .\-/]{0,63}?)\s*(<=|>=|<|>|=)\s*(\S+)$/;
const ARG = /^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$/s;

/**
 * The query of `GET /api/jobs`: `status` (comma separated), `projectId`
 * (absent: every project), `tag`, `q` (the name contains it, any case),
 * `arg=<name>=<value>` (repeatable; the value as a Python or JSON literal:
 * `lr=0.1`, `opt='adam'`, `flag=True`, bare words are strings), `metric=<name><op><number>`
 * (`loss<0.5`; op `<`, `<=`, `=`, `>=`, `>`), `limit`, `cursor`.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST` naming the bad parameter.
 */
export function jobListQuery(req: Request, owner: string): IJobs.IQuery {
  const query: IJobs.IQuery = { owner };
  const status = queryEnumList(req, 'status', JOB_STATUSES);
  const projectId = queryString(req, 'projectId', 64);
  const tag = queryString(req, 'tag', 64);
  const q = queryString(req, 'q', 200);
  const metric = queryString(req, 'metric', 200);
  const cursor = queryString(req, 'cursor');
  if (status) query.status = status;
  if (projectId !== undefined) query.projectId = projectId;
  if (tag) query.tag = tag;
  if (q) query.nameContains = q;
  const args = jobArgFilters(req);
  if (args) query.args = args;
  if (metric) query.metric = metricFilter(metric);
  query.limit = queryInteger(req, 'limit', { min: 1, max: 200, default: 50 });
  if (cursor !== undefined) query.cursor = cursor;
  return query;
}

/**
 * The repeatable `arg=<name>=<value>` filters of a query (see
 * {@link jobListQuery}), or undefined when none.
 *
 * @throws {@link HttpError} 400 `INVALID_REQUEST`.
 */
export function jobArgFilters(req: Request): IJobs.IQuery['args'] {
  const raw = req.query.arg;
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > 16) throw invalid('At most 16 arg filters');
  const args: Record<string, IJobs.ArgValue> = {};
  for (const item of list) {
    const match =
      typeof item === 'string' && item.length <= 300 ? ARG.exec(item) : null;
    if (!match) {
      throw invalid(`arg filter ${JSON.stringify(item)} is not name=value`);
    }
    args[match[1]] = literalValue(match[2].trim());
  }
  return args;
}

/** A filter value as Python or JSON writes it; anything else is a string. */
export function literalValue(text: string): IJobs.ArgValue {
  if (text === 'True' || text === 'true') return true;
  if (text === 'False' || text === 'false') return false;
  if (text === 'None' || text === 'null') return null;
  if (/^'.*'$/s.test(text) || /^".*"$/s.test(text)) return text.slice(1, -1);
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

function metricFilter(text: string): IJobs.IMetricFilter {
  const match = METRIC.exec(text.trim());
  const value = match ? Number(match[3]) : NaN;
  if (!match || !Number.isFinite(value)) {
    throw invalid(
      `metric filter ${JSON.stringify(text)} is not <name><op><number>, e.g. loss<0.5`
    );
  }
  return { name: match[1], op: match[2] as IJobs.IMetricFilter['op'], value };
}

function invalid(message: string): HttpError {
  return new HttpError('INVALID_REQUEST', message, {
    hint: 'See GET /api/openapi.json for the filters of GET /api/jobs.'
  });
}
