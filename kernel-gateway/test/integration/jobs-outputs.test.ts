/**
 * What a run writes under outputs/ is kept with it: files within the
 * limits, in the store, with their sha256; a file over the limit, links
 * (symbolic and hard) and special files are dropped and named in the log;
 * a failed run keeps what it wrote; a cancelled one too, marked partial.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { IStore } from '@jaxlab/store';
import type { JobRunner } from '@jaxlab/kernel-gateway';

import { createTestJobHost } from './job-host.js';
import type { ITestJobHost } from './job-host.js';
import { readWholeLog, submitJob, waitForStatus } from './jobs-programs.js';

const LIMIT_BYTES = 2 * 1024 * 1024;

const WRITES_OUTPUTS = `import os
import struct
import zlib

import numpy as np


def png(width, height):
    rows = b"".join(b"\\x00" + bytes([255, 0, 0]) * width for _ in range(height))
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def main():
    os.makedirs("outputs/plots", exist_ok=True)
    with open("outputs/predictions.csv", "w") as f:
        f.write("id,score\\n1,0.5\\n2,0.25\\n")
    with open("outputs/plots/loss.png", "wb") as f:
        f.write(png(4, 3))
    np.save("outputs/weights.npy", np.arange(12, dtype=np.float32).reshape(3, 4))
    with open("outputs/big.bin", "wb") as f:
        f.write(b"x" * (3 * 1024 * 1024))
    os.symlink("/job/connection.json", "outputs/key.json")
    os.symlink("..", "outputs/up")
    os.mkfifo("outputs/pipe")
    os.link("connection.json", "outputs/hard.json")
    print("wrote outputs")
`;

const WRITES_THEN_WAITS = `import os
import time


def main():
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/checkpoint.txt", "w") as f:
        f.write("step 10\\n")
    print("checkpoint written", flush=True)
    time.sleep(600)
`;

const WRITES_THEN_RAISES = `import os


def main():
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/partial-results.json", "w") as f:
        f.write('{"epoch": 3}')
    raise RuntimeError("diverged at epoch 3")
`;

describe("JobRunner: a run's outputs/", () => {
  let host: ITestJobHost;
  let store: IStore;
  let runner: JobRunner;

  beforeAll(async () => {
    host = await createTestJobHost('jl-out-');
    store = host.store;
    runner = await host.startRunner({
      hostId: 'outputs-host',
      artifacts: host.store.artifacts,
      outputLimits: {
        maxFiles: 10,
        maxBytes: LIMIT_BYTES,
        maxFileBytes: LIMIT_BYTES
      }
    });
  });

  afterAll(async () => {
    await runner?.dispose();
    await host?.dispose();
  });

  it('should keep the CSV, PNG and .npy with their sha256, and drop the file over the limit, the links and the FIFO, naming each', async () => {
    const submitted = await submitJob(store, { code: WRITES_OUTPUTS });
    const job = await waitForStatus(store, submitted.id, 'final', 120_000);
    const log = await readWholeLog(store, job.id);
    expect(job.status, log).toBe('COMPLETED');

    const items = await store.artifacts.list(job.id);
    expect(items.map(a => [a.name, a.contentType])).toEqual([
      ['plots/loss.png', 'image/png'],
      ['predictions.csv', 'text/csv'],
      ['weights.npy', 'application/x-npy']
    ]);
    for (const item of items) {
      const opened = await store.artifacts.open(job.id, item.name);
      const bytes = await readAll(opened!.stream);
      expect(bytes.length).toBe(item.sizeBytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(
        item.sha256
      );
      if (item.name === 'predictions.csv')
        expect(bytes.toString()).toBe('id,score\n1,0.5\n2,0.25\n');
      if (item.name === 'plots/loss.png')
        expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      if (item.name === 'weights.npy') {
        expect(bytes.subarray(1, 6).toString()).toBe('NUMPY');
        expect(bytes.length).toBe(128 + 12 * 4);
      }
    }

    const collection = await store.artifacts.getCollection(job.id);
    expect(collection).toMatchObject({ keptFiles: 3 });
    expect(collection!.partial).toBeUndefined();
    const dropped = Object.fromEntries(
      collection!.dropped.map(d => [d.name, d.reason])
    );
    expect(dropped).toEqual({
      'big.bin': 'over-file-bytes',
      'hard.json': 'link',
      'key.json': 'link',
      pipe: 'not-a-regular-file',
      up: 'link'
    });
    expect(log).toMatch(/kept 3 files of outputs\//);
    expect(log).toMatch(
      /dropped outputs\/big\.bin \(3 MiB\): over the limit of 2 MiB per file/
    );
    expect(log).toMatch(/dropped outputs\/key\.json: a symbolic or hard link/);
    expect(log).toMatch(/dropped outputs\/pipe: not a regular file/);
  });

  it('should keep what a failed run wrote: its files were complete when it raised', async () => {
    const submitted = await submitJob(store, { code: WRITES_THEN_RAISES });
    const job = await waitForStatus(store, submitted.id, 'final', 60_000);
    expect(job).toMatchObject({
      status: 'FAILED',
      failure: { reason: 'USER_ERROR' }
    });
    const [kept] = await store.artifacts.list(job.id);
    expect(kept).toMatchObject({
      name: 'partial-results.json',
      contentType: 'application/json',
      sizeBytes: 12
    });
    const opened = await store.artifacts.open(job.id, kept.name);
    expect((await readAll(opened!.stream)).toString()).toBe('{"epoch": 3}');
    const collection = await store.artifacts.getCollection(job.id);
    expect(collection).toMatchObject({ keptFiles: 1, dropped: [] });
    expect(collection!.partial).toBeUndefined();
  });

  it('should keep what a cancelled run wrote, saying it may be incomplete', async () => {
    const submitted = await submitJob(store, { code: WRITES_THEN_WAITS });
    const deadline = Date.now() + 60_000;
    while (
      !(await readWholeLog(store, submitted.id)).includes('checkpoint written')
    ) {
      if (Date.now() > deadline) throw new Error('the program never wrote');
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await store.jobs.requestCancel(submitted.id, 'local');
    const job = await waitForStatus(store, submitted.id, 'final', 30_000);
    expect(job.status).toBe('CANCELLED');
    expect((await store.artifacts.list(job.id)).map(a => a.name)).toEqual([
      'checkpoint.txt'
    ]);
    expect(await store.artifacts.getCollection(job.id)).toMatchObject({
      keptFiles: 1,
      partial: true
    });
    expect(await readWholeLog(store, job.id)).toMatch(/may be incomplete/);
  });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
