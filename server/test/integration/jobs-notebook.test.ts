import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { labPaths } from '@jaxlab/paths';
import { METRICS_MIME_TYPE } from '@jaxlab/schemas';
import type { IJobsServer } from './jobs-server.js';
import { MAIN_PY, runAsGateway, startJobsServer } from './jobs-server.js';

const VENV_PYTHON = labPaths().python;
const VALIDATE =
  'import nbformat,sys; nbformat.validate(nbformat.reads(sys.stdin.read(), as_version=4))';

let server: IJobsServer;
afterEach(async () => {
  await server?.close();
});

function nbformatValidate(text: string): void {
  const result = spawnSync(VENV_PYTHON, ['-c', VALIDATE], {
    input: text,
    encoding: 'utf8',
    timeout: 30_000
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

const METRICS = {
  compilationTimeMs: 812.5,
  executionTimeMs: 1500,
  values: { accuracy: 0.97 },
  device: { platform: 'cpu', count: 1, kinds: ['cpu'] }
};

describe('createLabServer() GET /api/jobs/{id}/notebook', () => {
  it('should carry the images the run kept as outputs of the call and list every file it kept', async () => {
    server = await startJobsServer();
    const created = await server.call('POST', '/api/jobs', {
      body: { code: MAIN_PY }
    });
    const { jobId } = await created.json();
    await runAsGateway(server.store, jobId, [
      { type: 'job:log', stream: 'stdout', text: 'plotted\n' },
      { type: 'job:status', status: 'COMPLETED' }
    ]);
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082',
      'hex'
    );
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';
    await server.store.artifacts.put(jobId, {
      name: 'plots/loss.png',
      data: png
    });
    await server.store.artifacts.put(jobId, {
      name: 'plots/curve.svg',
      data: Buffer.from(svg)
    });
    await server.store.artifacts.put(jobId, {
      name: 'predictions.csv',
      data: Buffer.from('a,b\n1,2\n')
    });
    const text = await (
      await server.call('GET', `/api/jobs/${jobId}/notebook`)
    ).text();
    nbformatValidate(text);
    const nb = JSON.parse(text);
    const call = nb.cells.find(
      (c: { id: string }) => c.id === 'designated-call'
    );
    const images = call.outputs.filter(
      (o: { output_type: string }) => o.output_type === 'display_data'
    );
    expect(
      images.map((o: { data: Record<string, string> }) => o.data['text/plain'])
    ).toEqual(['outputs/plots/curve.svg', 'outputs/plots/loss.png']);
    expect(Buffer.from(images[1].data['image/png'], 'base64').equals(png)).toBe(
      true
    );
    expect(images[0].data['image/svg+xml']).toBe(svg);
    const listing = nb.cells.find((c: { id: string }) => c.id === 'outputs');
    expect(listing.cell_type).toBe('markdown');
    for (const name of ['plots/loss.png', 'plots/curve.svg', 'predictions.csv'])
      expect(listing.source).toContain(`outputs/${name}`);
    expect(listing.source).toContain(`/api/jobs/${jobId}/artifacts.zip`);
  });

  it('should export a completed run as a valid nbformat 4.5 notebook with README, code, call, outputs and metadata', async () => {
    server = await startJobsServer();
    const project = await server.store.projects.create(
      await server.userId('alice'),
      {
        name: 'Spirals MLP',
        readme: '# Spirals\n\nTrain an MLP.\n',
        designatedFunctions: ['train_step']
      }
    );
    const created = await server.call('POST', '/api/jobs', {
      body: {
        projectId: project.id,
        code: MAIN_PY,
        args: { steps: 100, seed: 0, name: "it's", on: true, lr: null }
      }
    });
    const { jobId } = await created.json();
    await runAsGateway(server.store, jobId, [
      { type: 'job:log', stream: 'stdout', text: 'step 1\n' },
      { type: 'job:log', stream: 'stdout', text: 'step 2\n' },
      { type: 'job:log', stream: 'stderr', text: 'warning: slow\n' },
      { type: 'job:log', stream: 'stdout', text: 'Final accuracy: 0.97\n' },
      { type: 'job:metrics', metrics: METRICS },
      { type: 'job:status', status: 'COMPLETED' }
    ]);
    const res = await server.call('GET', `/api/jobs/${jobId}/notebook`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="?Spirals-MLP-${jobId}\\.ipynb"?$`)
    );
    const text = await res.text();
    nbformatValidate(text);
    const nb = JSON.parse(text);
    expect(nb).toMatchObject({ nbformat: 4, nbformat_minor: 5 });
    expect(nb.metadata.kernelspec).toEqual({
      name: 'jaxlab',
      display_name: 'JAX (restricted)',
      language: 'python'
    });
    expect(nb.metadata.jaxlab).toMatchObject({
      jobId,
      status: 'COMPLETED',
      host: 'host-1',
      metrics: METRICS,
      projectName: 'Spirals MLP'
    });
    expect(nb.metadata.jaxlab.startedAt).toEqual(expect.any(String));
    expect(nb.metadata.jaxlab.finishedAt).toEqual(expect.any(String));
    const [readme, code, call, ranOn] = nb.cells;
    // Where it ran: the device badge and host.
    expect(ranOn.cell_type).toBe('markdown');
    expect(ranOn.source).toContain(
      `\`${METRICS.device.platform} · ${METRICS.device.count} × `
    );
    expect(ranOn.source).toContain('host-1');
    expect(readme).toMatchObject({
      cell_type: 'markdown',
      source: '# Spirals\n\nTrain an MLP.\n'
    });
    expect(code).toMatchObject({
      cell_type: 'code',
      source: `%%writefile main.py\n${MAIN_PY}`,
      execution_count: 1,
      outputs: [
        { output_type: 'stream', name: 'stdout', text: 'Writing main.py\n' }
      ]
    });
    expect(call.source).toBe(
      "train_step(steps=100, seed=0, name='it\\'s', on=True, lr=None)"
    );
    expect(call.execution_count).toBe(2);
    expect(call.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'step 1\nstep 2\n' },
      { output_type: 'stream', name: 'stderr', text: 'warning: slow\n' },
      { output_type: 'stream', name: 'stdout', text: 'Final accuracy: 0.97\n' },
      {
        output_type: 'display_data',
        data: {
          [METRICS_MIME_TYPE]: METRICS,
          'text/plain': expect.stringContaining('accuracy: 0.97')
        },
        metadata: {}
      }
    ]);
  });

  it("should write each of the job's files with its own %%writefile cell, main.py first, before the call", async () => {
    server = await startJobsServer();
    const files = [
      { path: 'models.py', content: 'class MLP:\n    pass\n' },
      { path: 'utils/__init__.py', content: '' },
      { path: 'utils/data.py', content: 'BATCH = 32\n' }
    ];
    const { jobId } = await (
      await server.call('POST', '/api/jobs', {
        body: { code: MAIN_PY, files, requirements: 'optax>=0.2\n' }
      })
    ).json();
    await runAsGateway(server.store, jobId, [
      { type: 'job:log', stream: 'stdout', text: 'Final loss: 0.5\n' },
      { type: 'job:status', status: 'COMPLETED' }
    ]);
    const text = await (
      await server.call('GET', `/api/jobs/${jobId}/notebook`)
    ).text();
    nbformatValidate(text);
    const nb = JSON.parse(text);
    const cells = nb.cells as Array<{
      id: string;
      source: string;
      execution_count: number | null;
      outputs?: Array<{ text?: string }>;
    }>;
    expect(cells.map(c => c.source.split('\n')[0])).toEqual([
      '# JAX TPU Lab job',
      '%%writefile main.py',
      '%%writefile models.py',
      '%%writefile utils/__init__.py',
      '%%writefile utils/data.py',
      '%%writefile requirements.txt',
      'main()',
      // Where it ran, after the call.
      expect.stringMatching(/^\*\*Ran on\*\* .* on host `host-1`/)
    ]);
    expect(cells[4].source).toBe('%%writefile utils/data.py\nBATCH = 32\n');
    expect(cells[4].outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'Writing utils/data.py\n' }
    ]);
    expect(cells.slice(1, 7).map(c => c.execution_count)).toEqual([
      1, 2, 3, 4, 5, 6
    ]);
    expect(new Set(cells.map(c => c.id)).size).toBe(cells.length);
    expect(cells[6].outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'Final loss: 0.5\n' }
    ]);
  });

  it('should carry the failure as an error output and head a project-less job with its id', async () => {
    server = await startJobsServer();
    const { jobId } = await (
      await server.call('POST', '/api/jobs', { body: { code: MAIN_PY } })
    ).json();
    await runAsGateway(server.store, jobId, [
      {
        type: 'job:log',
        stream: 'stderr',
        text: 'Traceback (most recent call last):\nZeroDivisionError: division by zero\n'
      },
      {
        type: 'job:status',
        status: 'FAILED',
        failure: {
          reason: 'USER_ERROR',
          message: 'main() raised ZeroDivisionError',
          hint: 'Fix the error shown in the log.'
        }
      }
    ]);
    const text = await (
      await server.call('GET', `/api/jobs/${jobId}/notebook`)
    ).text();
    nbformatValidate(text);
    const nb = JSON.parse(text);
    expect(nb.cells[0].source).toContain(jobId);
    expect(nb.cells[2].source).toBe('main()');
    expect(nb.cells[2].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'USER_ERROR',
      evalue: 'main() raised ZeroDivisionError'
    });
    expect(nb.metadata.jaxlab.failure.reason).toBe('USER_ERROR');
  });

  it('should export a queued job as a valid notebook without outputs', async () => {
    server = await startJobsServer();
    const { jobId } = await (
      await server.call('POST', '/api/jobs', { body: { code: MAIN_PY } })
    ).json();
    const text = await (
      await server.call('GET', `/api/jobs/${jobId}/notebook`)
    ).text();
    nbformatValidate(text);
    const nb = JSON.parse(text);
    expect(nb.cells[2]).toMatchObject({ outputs: [], execution_count: null });
  });
});
