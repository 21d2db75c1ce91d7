// @vitest-environment happy-dom
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from '@jaxlab/schemas/contract';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../api/api-client.js';
import { ResultsModel } from './results-model.js';
import { ResultsWidget } from './results-widget.js';

const trans = nullTranslator.load('jaxlab');
let server: Server | null = null;

afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise(resolve => server!.close(resolve));
    server = null;
  }
});

function job(): Job {
  const now = new Date().toISOString();
  return {
    id: '01HZZZZZZZabcdef12',
    owner: 'u',
    projectId: 'p',
    status: 'QUEUED',
    accelerator: 'cpu',
    entrypoint: 'main',
    args: {},
    code: '',
    requirements: '',
    createdAt: now,
    updatedAt: now,
    lastSeq: 0,
    logTail: '',
    cancelRequested: false
  };
}

describe('ResultsWidget', () => {
  it('should show the badge, the failure’s reason and fix, and hide Cancel once final', () => {
    const model = new ResultsModel({ schedule: cb => (cb(), () => undefined) });
    const widget = new ResultsWidget(model, trans);
    Widget.attach(widget, document.body);
    model.bind(job());
    const badge = widget.node.querySelector<HTMLElement>(
      '.jp-jaxlab-StatusBadge'
    )!;
    const cancel = widget.node.querySelector<HTMLButtonElement>(
      '.jp-jaxlab-Results-cancel'
    )!;
    expect(badge.dataset.status).toBe('QUEUED');
    expect(cancel.hidden).toBe(false);
    expect(widget.node.textContent).toContain('run abcdef12 · CPU');
    expect(widget.node.textContent).toContain('main()');
    model.applyEvent({
      jobId: 'j',
      seq: 1,
      time: new Date().toISOString(),
      type: 'job:log',
      stream: 'stderr',
      text: 'Traceback\n'
    });
    model.applyEvent({
      jobId: 'j',
      seq: 2,
      time: new Date().toISOString(),
      type: 'job:status',
      status: 'FAILED',
      failure: {
        reason: 'USER_ERROR',
        message: 'main() raised ZeroDivisionError.',
        hint: 'Fix line 3 of main.py.'
      }
    });
    expect(badge.dataset.status).toBe('FAILED');
    expect(badge.textContent).toBe('FAILED');
    expect(cancel.hidden).toBe(true);
    const failure =
      widget.node.querySelector<HTMLElement>('.jp-jaxlab-Failure')!;
    expect(failure.hidden).toBe(false);
    expect(failure.textContent).toContain(
      'USER_ERROR: main() raised ZeroDivisionError.'
    );
    expect(failure.textContent).toContain('Fix line 3 of main.py.');
    expect(widget.node.querySelector('.jp-jaxlab-stderr')!.textContent).toBe(
      'Traceback\n'
    );
    Widget.detach(widget);
    widget.dispose();
    model.dispose();
  });

  it('should list the metrics once the call returns', () => {
    const model = new ResultsModel({ schedule: cb => (cb(), () => undefined) });
    const widget = new ResultsWidget(model, trans);
    model.bind(job());
    model.applyEvent({
      jobId: 'j',
      seq: 1,
      time: new Date().toISOString(),
      type: 'job:metrics',
      metrics: {
        compilationTimeMs: 1500,
        executionTimeMs: 4200,
        values: { accuracy: 0.97 },
        device: { platform: 'cpu', count: 1 }
      }
    });
    const rows = [...widget.node.querySelectorAll('.jp-jaxlab-Metrics tr')].map(
      tr => tr.textContent
    );
    expect(rows).toEqual([
      'Compilation time1.50 s',
      'Execution time4.20 s',
      'accuracy0.97 (97.0%)',
      'Devicecpu · 1 × cpu'
    ]);
    widget.dispose();
    model.dispose();
  });

  it('should ask the server to cancel when Cancel is pressed', async () => {
    const cancelled: string[] = [];
    server = createServer((req, res) => {
      if (req.url?.endsWith('/cancel')) {
        cancelled.push(req.url);
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{}');
        return;
      }
      // Events: keep the stream open.
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    });
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve));
    const client = new ApiClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    });
    const model = new ResultsModel({
      client,
      schedule: cb => (cb(), () => undefined)
    });
    const widget = new ResultsWidget(model, trans);
    Widget.attach(widget, document.body);
    model.bind(job());
    widget.node
      .querySelector<HTMLButtonElement>('.jp-jaxlab-Results-cancel')!
      .click();
    await expect
      .poll(() => cancelled)
      .toEqual(['/api/jobs/01HZZZZZZZabcdef12/cancel']);
    Widget.detach(widget);
    widget.dispose();
    model.dispose();
  });
});
