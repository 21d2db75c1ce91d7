export type { IJobStore, IPage, JobSummary, NewJobEvent } from './job-store.js';
export { SqliteJobStore } from './sqlite/sqlite-job-store.js';
export { MongoJobStore } from './mongodb/mongo-job-store.js';
export { createJobStore } from './create-job-store.js';
export type { ICreateJobStoreOptions } from './create-job-store.js';
export { LOG_TAIL_MAX_BYTES } from './jobs/log-tail.js';
