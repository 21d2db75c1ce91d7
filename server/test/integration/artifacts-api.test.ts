import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import type { ArtifactList } from '@jaxlab/schemas';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer, ITestUser } from '../stand-ins/lab-server.js';

const CSV = 'id,score,label\n1,0.5,cat\n2,0.25,dog\n3,0.75,cow\n';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360f8cf00000301010018dd8db0000000004945' +
    '4e44ae426082',
  'hex'
);
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';

let lab: ITestLabServer;
let alice: ITestUser;
let bob: ITestUser;
let jobId: string;
let projectId: string;

beforeAll(async () => {
  lab = await startLabServer();
  alice = await lab.as('alice');
  bob = await lab.as('bob');
  const project = await lab.store.projects.create(alice.id, {
    name: 'outputs',
    logRetentionDays: 1
  });
  projectId = project.id;
  const job = await lab.store.jobs.create(alice.id, {
    projectId,
    code: 'def main():\n    pass\n',
    requirements: '',
    entrypoint: 'main',
    args: {},
    accelerator: 'cpu'
  });
  jobId = job.id;
  await lab.store.queue.claimNext({
    hostId: 'h',
    capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
    leaseMs: 60_000
  });
  await lab.store.events.append(
    jobId,
    [{ type: 'job:status', status: 'COMPLETED' }],
    { hostId: 'h' }
  );
  await lab.store.artifacts.put(jobId, {
    name: 'predictions.csv',
    data: Buffer.from(CSV)
  });
  await lab.store.artifacts.put(jobId, { name: 'plots/loss.png', data: PNG });
  await lab.store.artifacts.put(jobId, {
    name: 'plots/evil.svg',
    data: Buffer.from(SVG)
  });
  await lab.store.artifacts.setCollection(jobId, {
    collectedAt: new Date().toISOString(),
    keptFiles: 3,
    keptBytes: CSV.length + PNG.length + SVG.length,
    limits: { maxFiles: 1000, maxBytes: 1024, maxFileBytes: 1024 },
    dropped: [{ name: 'big.bin', sizeBytes: 5000, reason: 'over-file-bytes' }]
  });
});

afterAll(async () => {
  await lab?.close();
});

const sha256 = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');
const download = (name: string, headers: Record<string, string> = {}) =>
  alice.call(
    'GET',
    `/api/jobs/${jobId}/artifacts/${encodeURIComponent(name)}`,
    { headers }
  );

describe('GET /api/jobs/{id}/artifacts', () => {
  it('should list name, size, media type and sha256 of each file, and what the collection dropped', async () => {
    const res = await alice.call('GET', `/api/jobs/${jobId}/artifacts`);
    const list = (await res.json()) as ArtifactList;
    expect(list.items.map(a => [a.name, a.contentType, a.sizeBytes])).toEqual([
      ['plots/evil.svg', 'image/svg+xml', SVG.length],
      ['plots/loss.png', 'image/png', PNG.length],
      ['predictions.csv', 'text/csv', CSV.length]
    ]);
    expect(list.items[2].sha256).toBe(sha256(CSV));
    expect(list.collection?.dropped).toEqual([
      { name: 'big.bin', sizeBytes: 5000, reason: 'over-file-bytes' }
    ]);
  });
});

describe('GET /api/jobs/{id}/artifacts/{name}', () => {
  it('should download a file with its Content-Type, Content-Disposition and sha256 ETag', async () => {
    const res = await download('predictions.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?predictions\.csv"?$/
    );
    expect(res.headers.get('etag')).toBe(`"${sha256(CSV)}"`);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(await res.text()).toBe(CSV);
    const png = await download('plots/loss.png');
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?loss\.png"?$/
    );
    expect(sha256(Buffer.from(await png.arrayBuffer()))).toBe(sha256(PNG));
  });

  it('should never serve an SVG as something a browser runs', async () => {
    const res = await download('plots/evil.svg');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/);
  });

  it('should answer a Range request with 206 and just those bytes, and an unsatisfiable one with 416', async () => {
    const res = await download('predictions.csv', { range: 'bytes=15-23' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 15-23/${CSV.length}`);
    expect(await res.text()).toBe(CSV.slice(15, 24));
    const tail = await download('predictions.csv', { range: 'bytes=-6' });
    expect(await tail.text()).toBe(CSV.slice(-6));
    const outside = await download('predictions.csv', {
      range: 'bytes=5000-6000'
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${CSV.length}`);
    expect((await outside.json()).code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('should answer 404 ARTIFACT_NOT_FOUND for a name the run did not keep, and 404 to another user', async () => {
    const missing = await download('../connection.json');
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('ARTIFACT_NOT_FOUND');
    const other = await bob.call(
      'GET',
      `/api/jobs/${jobId}/artifacts/predictions.csv`
    );
    expect(other.status).toBe(404);
    expect((await other.json()).code).toBe('JOB_NOT_FOUND');
  });
});

describe('GET /api/jobs/{id}/artifacts.zip', () => {
  it('should stream every kept file in one zip', async () => {
    const res = await alice.call('GET', `/api/jobs/${jobId}/artifacts.zip`);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="?${jobId}-outputs\\.zip"?$`)
    );
    const files = await unzip(Buffer.from(await res.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual([
      'plots/evil.svg',
      'plots/loss.png',
      'predictions.csv'
    ]);
    expect(files['predictions.csv'].toString()).toBe(CSV);
    expect(sha256(files['plots/loss.png'])).toBe(sha256(PNG));
  });
});

describe('retention of artifacts', () => {
  it('should delete the contents of a finished run and keep its summary: listed with deletedAt, 410 on download', async () => {
    const other = await lab.store.jobs.create(alice.id, {
      projectId,
      code: 'def main():\n    pass\n',
      requirements: '',
      entrypoint: 'main',
      args: {},
      accelerator: 'cpu'
    });
    await lab.store.queue.claimNext({
      hostId: 'h',
      capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
      leaseMs: 60_000
    });
    await lab.store.events.append(
      other.id,
      [{ type: 'job:status', status: 'COMPLETED' }],
      { hostId: 'h' }
    );
    await lab.store.artifacts.put(other.id, {
      name: 'old.csv',
      data: Buffer.from('a\n1\n')
    });
    expect(
      await lab.store.artifacts.deleteFinishedBefore(
        projectId,
        new Date(Date.now() + 2 * 86_400_000)
      )
    ).toBe(4);
    const list = (await (
      await alice.call('GET', `/api/jobs/${other.id}/artifacts`)
    ).json()) as ArtifactList;
    expect(list.items).toEqual([
      expect.objectContaining({
        name: 'old.csv',
        sizeBytes: 4,
        deletedAt: expect.any(String)
      })
    ]);
    const gone = await alice.call(
      'GET',
      `/api/jobs/${other.id}/artifacts/old.csv`
    );
    expect(gone.status).toBe(410);
    expect((await gone.json()).code).toBe('ARTIFACT_DELETED');
    const job = await (await alice.call('GET', `/api/jobs/${other.id}`)).json();
    expect(job.status).toBe('COMPLETED');
  });
});

async function unzip(data: Buffer): Promise<Record<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(data, { lazyEntries: true }, (e, z) =>
      e ? reject(e) : resolve(z!)
    )
  );
  const files: Record<string, Buffer> = {};
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream!.on('data', c => chunks.push(c as Buffer));
        stream!.on('end', () => {
          files[entry.fileName] = Buffer.concat(chunks);
          zip.readEntry();
        });
      });
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  return files;
}
