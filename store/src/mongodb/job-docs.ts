import type { Filter } from 'mongodb';
import type {
  Failure,
  Job,
  JobPhase,
  JobStatus,
  Metrics,
  RegressionVerdict,
  RunManifest,
  RunProgress,
  SeriesSummary,
  ProjectFile
} from '@jaxlab/schemas';
import { FINAL_JOB_STATUSES } from '@jaxlab/schemas';
import type { IJobEventState } from '../events/fold-job-events.js';
import { eventStateOf } from '../events/fold-job-events.js';
import type { PlainJobFields } from '../jobs/stored-job.js';
import { storedJobToJob } from '../jobs/stored-job.js';

/** Matches a job that has not ended. */
export const NOT_FINAL: Filter<IJobDoc>['status'] = {
  $nin: [...FINAL_JOB_STATUSES] as JobStatus[]
};

/**
 * A job document. Fields whose keys come from users (args, metrics values,
 * manifest packages such as `zope.interface`) are stored as JSON text so
 * that no key can collide with MongoDB's `$`/`.` rules.
 */
export interface IJobDoc extends PlainJobFields {
  _id: string;
  /** Absent on jobs written before device slots: 1. */
  deviceCount?: number;
  profile?: boolean;
  argsJson: string;
  /** The scalar arguments as name/value pairs, for filters. */
  argValues: INamedValue<string | number | boolean | null>[];
  tags: string[];
  /** Paths and texts: no user keys, so stored as they are. */
  files?: ProjectFile[];
  leaseHolder: string | null;
  leaseExpiresAt: number | null;
  /** Order between users in the queue (absent on jobs from before it). */
  fairRank?: number;
  /** 1 unless handed back to the queue (absent: 1). */
  attempt?: number;
  logsDeleted: boolean;
  cancelRequested: boolean;
  failure: Failure | null;
  metricsJson: string | null;
  manifestJson: string | null;
  phases?: JobPhase[] | null;
  progress?: RunProgress | null;
  seriesJson?: string | null;
  /** The regression verdict (RegressionVerdict as JSON). */
  regressionJson?: string | null;
  /** Last value of each step series, for filters. */
  seriesValues?: INamedValue<number>[];
  /** The metrics' values, for filters. */
  metricValues?: INamedValue<number>[];
}

/** A user-named value, stored so that its name is never a field key. */
export interface INamedValue<T> {
  n: string;
  v: T;
}

/** The scalar entries of `record` as {@link INamedValue}s. */
export function namedValues<T>(
  record: Record<string, unknown> | undefined,
  isScalar: (value: unknown) => value is T
): INamedValue<T>[] {
  return Object.entries(record ?? {}).flatMap(([n, v]) =>
    isScalar(v) ? [{ n, v }] : []
  );
}

/** Whether an argument is one a filter compares. */
export function isScalarArg(
  value: unknown
): value is string | number | boolean | null {
  return (
    value === null || ['string', 'number', 'boolean'].includes(typeof value)
  );
}

/** Whether a value is a number. */
export function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

/** Parses a JSON field; null or missing stays undefined. */
export function parseJsonField<T>(
  text: string | null | undefined
): T | undefined {
  return text === null || text === undefined
    ? undefined
    : (JSON.parse(text) as T);
}

/** A job (or, without code, files and requirements, a summary) from its document. */
export function docToJob(doc: IJobDoc): Job {
  return storedJobToJob({
    ...doc,
    id: doc._id,
    deviceCount: doc.deviceCount ?? 1,
    profile: doc.profile ?? false,
    args: JSON.parse(doc.argsJson) as Job['args'],
    name: doc.name ?? '',
    tags: doc.tags ?? [],
    notes: doc.notes ?? '',
    // Jobs written before files existed have none.
    files: doc.files ?? (doc.code === undefined ? undefined : []),
    failure: doc.failure ?? undefined,
    metrics: parseJsonField<Metrics>(doc.metricsJson),
    manifest: parseJsonField<RunManifest>(doc.manifestJson),
    phases: doc.phases ?? undefined,
    progress: doc.progress ?? undefined,
    series: parseJsonField<SeriesSummary>(doc.seriesJson),
    regression: parseJsonField<RegressionVerdict>(doc.regressionJson)
  });
}

/** The fields of a job document that its events change, decoded. */
export function eventStateOfDoc(doc: IJobDoc): IJobEventState {
  return eventStateOf({
    ...doc,
    metrics: parseJsonField<Metrics>(doc.metricsJson),
    series: parseJsonField<SeriesSummary>(doc.seriesJson)
  });
}
