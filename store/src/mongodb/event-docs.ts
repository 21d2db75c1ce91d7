import type { Failure, JobEvent, JobStatus, Metrics } from '@jaxlab/schemas';
import type { MongoDatabase } from './mongo-database.js';

/** An event document; `metrics` of a metrics event is stored as JSON. */
export interface IEventDoc {
  jobId: string;
  seq: number;
  type: JobEvent['type'];
  time: string;
  stream?: 'stdout' | 'stderr';
  text?: string;
  status?: JobStatus;
  failure?: Failure;
  metricsJson?: string;
  phase?: string;
  detail?: string;
  progress?: object;
  /** A series event's summary (keyed by metric names) as JSON. */
  summaryJson?: string;
}

/** The document of a numbered event. */
export function eventToDoc(event: JobEvent): IEventDoc {
  if (event.type === 'job:metrics') {
    const { metrics, ...rest } = event;
    return { ...rest, metricsJson: JSON.stringify(metrics) };
  }
  if (event.type === 'job:series') {
    const { summary, ...rest } = event;
    return { ...rest, summaryJson: JSON.stringify(summary) };
  }
  return { ...event };
}

/** An event from its document (read without `_id`). */
export function docToEvent(doc: IEventDoc): JobEvent {
  const { metricsJson, summaryJson, ...rest } = doc;
  if (metricsJson !== undefined) {
    return { ...rest, metrics: JSON.parse(metricsJson) as Metrics } as JobEvent;
  }
  if (summaryJson !== undefined) {
    return { ...rest, summary: JSON.parse(summaryJson) } as JobEvent;
  }
  return rest as JobEvent;
}

/**
 * Stores numbered events of one job, whose `lastSeq` the caller already
 * advanced past them, and wakes this process's watchers of the job.
 */
export async function insertEventDocs(
  database: MongoDatabase,
  docs: IEventDoc[]
): Promise<void> {
  if (docs.length === 0) return;
  await database.events.insertMany(docs, { ordered: true });
  database.appends.notify(docs[0].jobId);
}
