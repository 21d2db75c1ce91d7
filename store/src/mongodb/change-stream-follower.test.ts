import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Collection } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMongoJavaServer } from '../../test/mongo-java-server/mongo-java-server.js';
import type { IMongoJavaServer } from '../../test/mongo-java-server/mongo-java-server.js';
import { startTcpProxy } from '../../test/mongo-java-server/tcp-proxy.js';
import type { ITcpProxy } from '../../test/mongo-java-server/tcp-proxy.js';
import { ChangeStreamFollower } from './change-stream-follower.js';
import type { IEventDoc } from './event-docs.js';

/** Resolves once `check()` holds, polling; fails after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}

function event(jobId: string): IEventDoc {
  return {
    jobId,
    seq: 1,
    type: 'job:log',
    time: '',
    text: '',
    stream: 'stdout'
  };
}

// Against mongo-java-server with its oplog on, which serves change streams
// and resumeAfter; the follower's client goes through a TCP proxy so that a
// test can cut its connections while the writer keeps writing.
describe('ChangeStreamFollower', () => {
  let server: IMongoJavaServer;
  let proxy: ITcpProxy;
  let writer: MongoClient;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = await startMongoJavaServer();
    proxy = await startTcpProxy(server.port);
    writer = await new MongoClient(server.uri).connect();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  afterAll(async () => {
    await writer?.close();
    await proxy?.close();
    await server?.stop();
  });

  async function follow(dbName: string): Promise<{
    follower: ChangeStreamFollower;
    inserted: string[];
    interruptions: string[];
    isStarted: boolean;
  }> {
    const client = new MongoClient(`mongodb://127.0.0.1:${proxy.port}`, {
      serverSelectionTimeoutMS: 300
    });
    await client.connect();
    const inserted: string[] = [];
    const interruptions: string[] = [];
    const follower = new ChangeStreamFollower({
      collection: client.db(dbName).collection<IEventDoc>('job_events'),
      onInsert: jobId => inserted.push(jobId),
      onInterrupted: () => interruptions.push('interrupted'),
      onResumed: () => interruptions.push('resumed')
    });
    closers.push(async () => {
      await follower.dispose();
      await client.close();
    });
    const isStarted = await follower.start();
    return { follower, inserted, interruptions, isStarted };
  }

  it('should report each insert once and in order', async () => {
    const events: Collection<IEventDoc> = writer
      .db('follow_inserts')
      .collection('job_events');
    const { follower, inserted, isStarted } = await follow('follow_inserts');
    expect(isStarted).toBe(true);
    expect(follower.isFollowing).toBe(true);
    for (const jobId of ['a', 'b', 'c', 'a'])
      await events.insertOne(event(jobId));
    await until(() => inserted.length >= 4);
    await sleep(50);
    expect(inserted).toEqual(['a', 'b', 'c', 'a']);
    expect(follower.resumeToken).toBeDefined();
  });

  it('should reopen after its last resume token when the stream drops, replaying the inserts it missed', async () => {
    const events: Collection<IEventDoc> = writer
      .db('follow_resume')
      .collection('job_events');
    const { follower, inserted, interruptions } = await follow('follow_resume');
    await events.insertOne(event('before-1'));
    await events.insertOne(event('before-2'));
    await until(() => inserted.length === 2);
    const tokenBefore = JSON.stringify(follower.resumeToken);

    // An outage longer than server selection (300 ms): the driver's own
    // retry fails, so the follower reports it and reopens by itself.
    const outage = proxy.cut(1500);
    await until(() => interruptions.includes('interrupted'));
    expect(follower.isFollowing).toBe(false);
    await events.insertOne(event('during-1'));
    await events.insertOne(event('during-2'));
    await outage;

    await until(() => interruptions.includes('resumed'));
    expect(follower.isFollowing).toBe(true);
    await events.insertOne(event('after'));
    await until(() => inserted.length >= 5);
    await sleep(50);
    expect(inserted).toEqual([
      'before-1',
      'before-2',
      'during-1',
      'during-2',
      'after'
    ]);
    expect(interruptions).toEqual(['interrupted', 'resumed']);
    expect(JSON.stringify(follower.resumeToken)).not.toBe(tokenBefore);
  });

  it('should report false and leave nothing open on a server without change streams', async () => {
    const standalone = await startMongoJavaServer({ oplog: false });
    closers.push(() => standalone.stop());
    const client = await new MongoClient(standalone.uri).connect();
    closers.push(() => client.close());
    const follower = new ChangeStreamFollower({
      collection: client.db('no_oplog').collection<IEventDoc>('job_events'),
      onInsert: () => undefined,
      onInterrupted: () => undefined,
      onResumed: () => undefined
    });
    expect(await follower.start()).toBe(false);
    expect(follower.isFollowing).toBe(false);
  });
});
