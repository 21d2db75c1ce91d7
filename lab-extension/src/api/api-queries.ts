import type { JobStatus, TableFilter } from '@jaxlab/schemas/contract';

/** Filters of {@link ApiClient.listJobs} (see GET /api/jobs). */
export interface IJobQuery {
  projectId?: string;
  status?: JobStatus;
  /** Only runs with this tag. */
  tag?: string;
  /** Only runs whose name contains this. */
  q?: string;
  /** `name=value` argument filters, e.g. `lr=0.1`. */
  arg?: string[];
  /** `<name><op><number>`, e.g. `loss<0.5`. */
  metric?: string;
  limit?: number;
  cursor?: string;
}

/** Ranking and filters of {@link ApiClient.getLeaderboard}. */
export interface ILeaderboardQuery {
  metric: string;
  direction: 'min' | 'max';
  tag?: string;
  /** `name=value` argument filters, e.g. `lr=0.1`. */
  arg?: string[];
  /** Created at or after (ISO date). */
  from?: string;
  /** Created before (ISO date). */
  to?: string;
  accelerator?: string;
  limit?: number;
}

/** What {@link ApiClient.getSeries} asks for. */
export interface ISeriesQuery {
  /** Step buckets per series (1000 when not given). */
  buckets?: number;
  /** Only these series. */
  names?: readonly string[];
  fromStep?: number;
  toStep?: number;
}

/** What the data viewer shows: a kept file, or the run's step series as one table. */
export type TableSource = { artifact: string } | { series: true };

/** What {@link ApiClient.getTable} asks for: one page, sorted and filtered. */
export interface ITableQuery {
  source: TableSource;
  /** The member of an archive artifact. */
  member?: string;
  offset: number;
  limit: number;
  sort?: { column: number; descending: boolean };
  filters?: TableFilter[];
}

/**
 * A filter object as URL parameters: one per value (arrays repeat their
 * key), leaving out undefined and empty ones.
 */
export function filterParams(
  query: IJobQuery | ILeaderboardQuery
): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== '') params.append(key, String(item));
    }
  }
  return params;
}

/** The parameters of GET /api/jobs/{id}/series. */
export function seriesParams(query: ISeriesQuery): URLSearchParams {
  const params = new URLSearchParams();
  params.set('buckets', String(query.buckets ?? 1000));
  if (query.names?.length) params.set('names', query.names.join(','));
  if (query.fromStep !== undefined)
    params.set('fromStep', String(query.fromStep));
  if (query.toStep !== undefined) params.set('toStep', String(query.toStep));
  return params;
}

/** The parameters of GET /api/jobs/{id}/table. */
export function tableParams(query: ITableQuery): URLSearchParams {
  const params = new URLSearchParams({
    ...('artifact' in query.source
      ? { artifact: query.source.artifact }
      : { series: '1' }),
    offset: String(query.offset),
    limit: String(query.limit)
  });
  if (query.member !== undefined) params.set('member', query.member);
  if (query.sort) {
    params.set('sort', String(query.sort.column));
    params.set('order', query.sort.descending ? 'desc' : 'asc');
  }
  if (query.filters?.length)
    params.set('filter', JSON.stringify(query.filters));
  return params;
}
