// Child process of sqlite-cross-process.test.ts: opens the same SQLite file
// as its parent and appends a job's events in batches, then its final status.
// argv: <dbPath> <jobId> <hostId> <batches> <linesPerBatch>
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '@jaxlab/store';
import type { NewJobEvent } from '@jaxlab/store';

const [dbPath, jobId, hostId, batches, perBatch] = process.argv.slice(2);
const store = await openStore({ sqlite: { path: dbPath } });
await store.events.append(jobId, [{ type: 'job:status', status: 'RUNNING' }], {
  hostId
});
let line = 0;
for (let b = 0; b < Number(batches); b++) {
  const events: NewJobEvent[] = [];
  for (let i = 0; i < Number(perBatch); i++) {
    events.push({
      type: 'job:log',
      stream: 'stdout',
      text: `child line ${line++}\n`
    });
  }
  await store.events.append(jobId, events, { hostId });
  await sleep(2);
}
await store.events.append(
  jobId,
  [{ type: 'job:status', status: 'COMPLETED' }],
  {
    hostId
  }
);
await store.dispose();
