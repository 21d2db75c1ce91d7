import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '@jaxlab/schemas/contract';
import { JaxLabError } from '@jaxlab/schemas/contract';
import { ApiClient } from './api-client.js';
import { SseParser } from './sse-parser.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: { url: string; auth?: string; lastEventId?: string }[] = [];

beforeEach(async () => {
  seen.length = 0;
  server = createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      auth: req.headers.authorization,
      lastEventId: req.headers['last-event-id'] as string | undefined
    });
    handler(req, res);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

function logEvent(seq: number, text: string): string {
  const data = {
    jobId: 'j1',
    seq,
    time: new Date().toISOString(),
    type: 'job:log',
    stream: 'stdout',
    text
  };
  return `id: ${seq}\nevent: job:log\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A queued job as the server answers it. */
function queuedJob(id: string): Job {
  const now = new Date().toISOString();
  return {
    id,
    owner: 'user-a',
    projectId: 'p',
    status: 'QUEUED',
    accelerator: 'cpu',
    entrypoint: 'main',
    args: {},
    code: 'def main(): pass',
    requirements: '',
    createdAt: now,
    updatedAt: now,
    lastSeq: 1,
    logTail: '',
    cancelRequested: false
  };
}

function answerJson(status: number, body: unknown): Handler {
  return (_req, res) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
}

function statusEvent(seq: number, status: string): string {
  const data = {
    jobId: 'j1',
    seq,
    time: new Date().toISOString(),
    type: 'job:status',
    status
  };
  return `id: ${seq}\nevent: job:status\ndata: ${JSON.stringify(data)}\n\n`;
}

describe('SseParser.push()', () => {
  it('should assemble events split across arbitrary chunk boundaries', () => {
    const wire =
      ': hello\r\n' +
      logEvent(1, 'a') +
      'data: x\ndata: y\n\n' +
      statusEvent(2, 'COMPLETED');
    const parser = new SseParser();
    const events = [];
    for (const ch of wire) {
      events.push(...parser.push(ch));
    }
    expect(events.map(e => e.event)).toEqual([
      'job:log',
      'message',
      'job:status'
    ]);
    expect(events[1].data).toBe('x\ny');
    expect(events[2].id).toBe('2');
  });
});

describe('ApiClient requests', () => {
  it('should send the bearer token and parse JSON', async () => {
    handler = (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'u1',
          email: 'a@b.c',
          name: 'A',
          provider: 'local'
        })
      );
    };
    const client = new ApiClient({ baseUrl: baseUrl + '/', token: 'tok' });
    const me = await client.me();
    expect(me.email).toBe('a@b.c');
    expect(seen[0]).toMatchObject({ url: '/api/me', auth: 'Bearer tok' });
  });

  it('should throw JaxLabError with the server code and hint', async () => {
    handler = answerJson(404, {
      reason: 'Not Found',
      message: 'no',
      code: 'JOB_NOT_FOUND',
      hint: 'look'
    });
    const client = new ApiClient({ baseUrl });
    const error = await client.getJob('x').catch(e => e);
    expect(error).toBeInstanceOf(JaxLabError);
    expect(error.code).toBe('JOB_NOT_FOUND');
    expect(error.httpStatus).toBe(404);
    expect(error.hint).toBe('look');
  });

  it('should pass on REQUIREMENTS_REJECTED with the line and the rule', async () => {
    handler = answerJson(400, {
      reason: 'Bad Request',
      message: 'requirements.txt line 2: URLs are not allowed',
      code: 'REQUIREMENTS_REJECTED',
      hint: 'Name a project on the index.',
      details: { line: 2, rule: 'url' }
    });
    const client = new ApiClient({ baseUrl });
    const error = await client
      .createJob({ code: 'def main(): pass', requirements: 'six\nhttps://x' })
      .catch(e => e);
    expect(error).toMatchObject({
      code: 'REQUIREMENTS_REJECTED',
      details: { line: 2, rule: 'url' }
    });
  });

  it('should address a project file by its path as one encoded segment and pass on PROJECT_FILE_REJECTED', async () => {
    handler = answerJson(400, {
      reason: 'Bad Request',
      message: '"../x.py" has a \'..\' folder',
      code: 'PROJECT_FILE_REJECTED',
      hint: 'Name files like models.py.',
      details: { path: '../x.py', rule: 'parent' }
    });
    const client = new ApiClient({ baseUrl });
    const error = await client
      .writeProjectFile('p1', '../x.py', 'X = 1\n')
      .catch(e => e);
    expect(error).toMatchObject({
      code: 'PROJECT_FILE_REJECTED',
      details: { path: '../x.py', rule: 'parent' }
    });
    await client
      .renameProjectFile('p1', 'utils/data.py', 'd.py')
      .catch(() => 0);
    await client.deleteProjectFile('p1', 'utils/data.py').catch(() => 0);
    expect(seen.map(s => s.url)).toEqual([
      '/api/projects/p1/files/..%2Fx.py',
      '/api/projects/p1/files/utils%2Fdata.py',
      '/api/projects/p1/files/utils%2Fdata.py'
    ]);
  });

  it('should throw INVALID_RESPONSE for an answer that breaks its schema', async () => {
    const client = new ApiClient({ baseUrl });
    // Shapes older drafts of the server sent: a bare list, a page without
    // its cursor, an accepted job without the job.
    handler = answerJson(200, [queuedJob('j1')]);
    expect((await client.listJobs().catch(e => e)).code).toBe(
      'INVALID_RESPONSE'
    );
    handler = answerJson(200, { items: [] });
    const error = await client.listJobs().catch(e => e);
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.details).toEqual([
      "(root) must have required property 'nextCursor'"
    ]);
    handler = answerJson(202, { jobId: 'j1' });
    expect((await client.createJob({ code: 'x' }).catch(e => e)).code).toBe(
      'INVALID_RESPONSE'
    );
    handler = answerJson(200, { ...queuedJob('j1'), status: 'DONE' });
    expect((await client.getJob('j1').catch(e => e)).code).toBe(
      'INVALID_RESPONSE'
    );
  });

  it('should map a bare 401 to UNAUTHORIZED and an unreachable server to NETWORK_ERROR', async () => {
    handler = (_req, res) => {
      res.statusCode = 401;
      res.end('nope');
    };
    const client = new ApiClient({ baseUrl });
    expect((await client.me().catch(e => e)).code).toBe('UNAUTHORIZED');
    const dead = new ApiClient({ baseUrl: 'http://127.0.0.1:1' });
    expect((await dead.listProjects().catch(e => e)).code).toBe(
      'NETWORK_ERROR'
    );
  });

  it('should submit a job and return the queued job', async () => {
    let body = '';
    handler = (req, res) => {
      req.on('data', c => (body += c));
      req.on('end', () =>
        answerJson(202, { jobId: 'j1', job: queuedJob('j1') })(req, res)
      );
    };
    const client = new ApiClient({ baseUrl });
    const job = await client.createJob({
      projectId: 'p',
      code: 'def main(): pass',
      accelerator: 'cpu'
    });
    expect(job).toMatchObject({ id: 'j1', status: 'QUEUED' });
    expect(JSON.parse(body)).toMatchObject({
      projectId: 'p',
      accelerator: 'cpu'
    });
  });

  it('should pass list filters as query parameters', async () => {
    handler = answerJson(200, { items: [], nextCursor: null });
    const client = new ApiClient({ baseUrl });
    await client.listJobs({ projectId: 'p1', status: 'RUNNING', limit: 5 });
    expect(seen[0].url).toBe('/api/jobs?projectId=p1&status=RUNNING&limit=5');
  });
});

describe('ApiClient.jobEvents()', () => {
  it('should resume with Last-Event-ID after a dropped connection and yield each event once', async () => {
    let connection = 0;
    handler = (req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      connection++;
      if (connection === 1) {
        res.write(logEvent(1, 'one\n') + logEvent(2, 'two\n'));
        // Half of event 3, then the connection dies.
        res.write(logEvent(3, 'three\n').slice(0, 20));
        setTimeout(() => res.destroy(), 20);
      } else {
        const after = Number(req.headers['last-event-id']);
        // A server may replay an event the client already has.
        let out = '';
        for (let seq = after; seq <= 4; seq++) {
          out +=
            seq === 4
              ? statusEvent(4, 'COMPLETED')
              : logEvent(seq, `${['', 'one', 'two', 'three'][seq]}\n`);
        }
        res.end(out);
      }
    };
    const client = new ApiClient({ baseUrl, retryDelayMs: 10 });
    const events = [];
    for await (const event of client.jobEvents('j1')) {
      events.push(event);
    }
    expect(events.map(e => e.seq)).toEqual([1, 2, 3, 4]);
    expect(seen[1].lastEventId).toBe('2');
    expect(events[3]).toMatchObject({
      type: 'job:status',
      status: 'COMPLETED'
    });
  });

  it('should stream 100,000 events in order', async () => {
    handler = (_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      let out = '';
      for (let seq = 1; seq <= 100_000; seq++) {
        out += logEvent(seq, `line ${seq}\n`);
        if (out.length > 1 << 16) {
          res.write(out);
          out = '';
        }
      }
      res.end(out + statusEvent(100_001, 'COMPLETED'));
    };
    const client = new ApiClient({ baseUrl });
    let expected = 1;
    for await (const event of client.jobEvents('j1')) {
      expect(event.seq).toBe(expected++);
    }
    expect(expected).toBe(100_002);
  });

  it('should throw the server error code when the job does not exist', async () => {
    handler = answerJson(404, {
      reason: 'Not Found',
      message: 'gone',
      code: 'JOB_NOT_FOUND'
    });
    const client = new ApiClient({ baseUrl });
    const iterator = client.jobEvents('nope');
    const error = await iterator.next().catch(e => e);
    expect(error.code).toBe('JOB_NOT_FOUND');
  });

  it('should throw INVALID_RESPONSE for an event that breaks the JobEvent schema', async () => {
    handler = (_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.end(
        logEvent(1, 'ok\n') +
          `id: 2\nevent: job:status\ndata: ${JSON.stringify({ jobId: 'j1', seq: 2, type: 'job:status', status: 'DONE', time: new Date().toISOString() })}\n\n`
      );
    };
    const client = new ApiClient({ baseUrl });
    const events = [];
    let error: unknown;
    try {
      for await (const event of client.jobEvents('j1')) {
        events.push(event);
      }
    } catch (e) {
      error = e;
    }
    expect(events.map(e => e.seq)).toEqual([1]);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('should stop when aborted', async () => {
    handler = (_req, res) => {
      res.setHeader('Content-Type', 'text/event-stream');
      res.write(logEvent(1, 'x'));
    };
    const controller = new AbortController();
    const client = new ApiClient({ baseUrl });
    const events = [];
    for await (const event of client.jobEvents('j1', {
      signal: controller.signal
    })) {
      events.push(event);
      controller.abort();
    }
    expect(events).toHaveLength(1);
  });
});
