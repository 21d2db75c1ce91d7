import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { openStore } from '@jaxlab/store';
import type { IJobEvents, IStore } from '@jaxlab/store';
import { TRIVIAL_JOB } from '../../../../store/test/fixtures/trivial-job.mjs';

import { JobEventWriter } from './job-event-writer.js';

describe('JobEventWriter', () => {
  let store: IStore;
  let jobId: string;

  beforeEach(async () => {
    store = await openStore({ sqlite: { path: ':memory:' } });
    const job = await store.jobs.create('local', TRIVIAL_JOB);
    await store.queue.claimNext({
      hostId: 'h',
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs: 60_000
    });
    jobId = job.id;
  });

  afterEach(async () => {
    await store.dispose();
  });

  it('should coalesce output into few events, in order, losing nothing', async () => {
    const writer = new JobEventWriter({
      events: store.events,
      jobId,
      hostId: 'h',
      maxChunkBytes: 1024
    });
    let expectedOut = '';
    for (let i = 0; i < 5000; i++) {
      const line = `line ${i}\n`;
      writer.log('stdout', line);
      expectedOut += line;
      if (i === 2500) {
        writer.log('stderr', 'warning\n');
      }
    }
    await writer.flush();
    const chunks = await store.events.readLogs(jobId, 0, 100_000);
    expect(chunks.length).toBeLessThan(100);
    expect(chunks.every(c => Buffer.byteLength(c.text) <= 1024)).toBe(true);
    expect(
      chunks
        .filter(c => c.stream === 'stdout')
        .map(c => c.text)
        .join('')
    ).toBe(expectedOut);
    const stderrIndex = chunks.findIndex(c => c.stream === 'stderr');
    expect(chunks[stderrIndex].text).toBe('warning\n');
    expect(
      chunks
        .slice(0, stderrIndex)
        .map(c => c.text)
        .join('')
    ).toContain('line 2500\n');
    expect(
      chunks
        .slice(stderrIndex + 1)
        .map(c => c.text)
        .join('')
        .startsWith('line 2501\n')
    ).toBe(true);
  });

  it('should write a status event after the logs queued before it', async () => {
    const writer = new JobEventWriter({
      events: store.events,
      jobId,
      hostId: 'h'
    });
    writer.log('stdout', 'before\n');
    await writer.append({ type: 'job:status', status: 'RUNNING' });
    const events = await store.events.read(jobId, 0, 100);
    expect(events.map(e => e.type)).toEqual([
      'job:status',
      'job:log',
      'job:status'
    ]);
  });

  it('should report a lost lease once and stop writing', async () => {
    const lost: unknown[] = [];
    const writer = new JobEventWriter({
      events: store.events,
      jobId,
      hostId: 'other-host',
      onLost: e => lost.push(e)
    });
    writer.log('stdout', 'x\n');
    await writer.flush();
    writer.log('stdout', 'y\n');
    await writer.flush();
    expect(lost).toHaveLength(1);
    expect(writer.error).toMatchObject({ code: 'LEASE_LOST' });
  });

  it('should ask a producer to wait while the store lags, and release it once it caught up', async () => {
    let release!: () => void;
    const gate = new Promise<void>(resolve => (release = resolve));
    const slowEvents: IJobEvents = Object.create(store.events) as IJobEvents;
    slowEvents.append = async (...args: Parameters<IJobEvents['append']>) => {
      await gate;
      return store.events.append(...args);
    };
    const writer = new JobEventWriter({
      events: slowEvents,
      jobId,
      hostId: 'h',
      highWaterBytes: 4096
    });
    expect(writer.whenWritable()).toBeUndefined();
    for (let i = 0; i < 100; i++) writer.log('stdout', 'z'.repeat(99) + '\n');
    const waiting = writer.whenWritable();
    expect(waiting).toBeInstanceOf(Promise);
    let isReleased = false;
    void waiting!.then(() => (isReleased = true));
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(isReleased).toBe(false);
    release();
    await writer.flush();
    expect(isReleased).toBe(true);
    expect(writer.whenWritable()).toBeUndefined();
  });

  it('should keep exactly maxLogBytes, then one notice, and count what it discarded', async () => {
    const writer = new JobEventWriter({
      events: store.events,
      jobId,
      hostId: 'h',
      maxLogBytes: 1000
    });
    for (let i = 0; i < 30; i++) writer.log('stdout', 'é'.repeat(50)); // 100 bytes each
    await writer.append({ type: 'job:status', status: 'RUNNING' });
    await writer.finish();
    const text = (await store.events.readLogs(jobId, 0, 1000))
      .map(c => c.text)
      .join('');
    expect(text.startsWith('é'.repeat(500) + '\n[jaxlab] This job')).toBe(true);
    expect(text.match(/This job's log reached its cap/g)).toHaveLength(1);
    expect(text).toMatch(/\(2000 bytes\) of output were discarded/);
    expect(writer.discardedBytes).toBe(2000);
    const events = await store.events.read(jobId, 0, 100);
    expect(
      events.some(e => e.type === 'job:status' && e.status === 'RUNNING')
    ).toBe(true);
  });
});
