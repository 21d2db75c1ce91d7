import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVIEW_SYSTEM_INSTRUCTION } from '@jaxlab/server';
import type { ILabServerDeps } from '@jaxlab/server';
import { startLabServer } from '../stand-ins/lab-server.js';
import { GeminiStandIn } from '../stand-ins/gemini-stand-in.js';

const CODE = [
  'import jax',
  'import jax.numpy as jnp',
  '',
  '@jax.jit',
  'def f(x):',
  '    print(x)',
  '    return x * 2',
  '',
  'def main():',
  '    print(f(jnp.ones(3)))',
  ''
].join('\n');

let closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

let gemini: GeminiStandIn;
beforeEach(async () => {
  gemini = new GeminiStandIn();
  await gemini.start();
  closers.push(() => gemini.stop());
});

async function startServer(review: ILabServerDeps['review']) {
  const server = await startLabServer({
    auth: { localToken: 'tok' },
    review
  });
  closers.push(server.close);
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/review`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tok',
        'content-type': 'application/json',
        ...headers
      },
      body: JSON.stringify(body)
    });
  return { store: server.store, url: server.url, post };
}

function withKey(timeoutMs = 5000): ILabServerDeps['review'] {
  return {
    apiKey: 'test-key',
    baseUrl: gemini.url,
    model: 'gemini-test',
    timeoutMs
  };
}

async function readSse(
  res: Response
): Promise<Array<{ event: string; data: unknown }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter(b => b.trim())
    .map(block => {
      const event = /^event: (.*)$/m.exec(block)![1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]);
      return { event, data };
    });
}

describe('createReviewRouter()', () => {
  it('should send the system instruction, the code and the lint findings to Gemini and return its review', async () => {
    gemini.behaviour = {
      kind: 'answer',
      chunks: ['Use jax.debug.print ', 'instead of print.']
    };
    const { post } = await startServer(withKey());
    const res = await post({ code: CODE, requirements: 'optax==0.2.4\n' });
    expect(res.status).toBe(200);
    const review = await res.json();
    expect(review.ai).toEqual({ status: 'ok', model: 'gemini-test' });
    expect(review.findings.map((f: { rule: string }) => f.rule)).toEqual([
      'JAX008'
    ]);
    expect(review.markdown.indexOf('JAX008')).toBeLessThan(
      review.markdown.indexOf('Use jax.debug.print instead of print.')
    );

    expect(gemini.requests).toHaveLength(1);
    const r = gemini.requests[0];
    expect(r.path).toBe('/v1beta/models/gemini-test:generateContent');
    expect(r.apiKey).toBe('test-key');
    expect(r.body.systemInstruction?.parts?.[0]?.text).toBe(
      REVIEW_SYSTEM_INSTRUCTION
    );
    const prompt = JSON.stringify(r.body.contents);
    expect(prompt).toContain('def f(x):');
    expect(prompt).toContain('optax==0.2.4');
    expect(prompt).toContain('JAX008');
    expect(prompt).toContain('line 6');
  });

  it("should give the model the project's README as the problem statement", async () => {
    const { post, url } = await startServer(withKey());
    const created = await fetch(`${url}/api/projects`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tok',
        'content-type': 'application/json'
      },
      body: JSON.stringify({
        name: 'p',
        readme: '# Classify the spirals PROBLEM_7f'
      })
    });
    const project = await created.json();
    const res = await post({ code: CODE, projectId: project.id });
    expect((await res.json()).ai.status).toBe('ok');
    expect(JSON.stringify(gemini.requests[0].body.contents)).toContain(
      'Classify the spirals PROBLEM_7f'
    );
  });

  it('should stream lint, deltas and done as Server-Sent Events', async () => {
    gemini.behaviour = {
      kind: 'answer',
      chunks: ['First. ', 'Second. ', 'Third.']
    };
    const { post } = await startServer(withKey());
    const res = await post({ code: CODE, stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = await readSse(res);
    expect(events.map(e => e.event)).toEqual([
      'lint',
      'delta',
      'delta',
      'delta',
      'done'
    ]);
    expect((events[0].data as { findings: unknown[] }).findings).toHaveLength(
      1
    );
    expect(
      events
        .slice(1, 4)
        .map(e => (e.data as { text: string }).text)
        .join('')
    ).toBe('First. Second. Third.');
    const done = events[4].data as { markdown: string; ai: { status: string } };
    expect(done.ai.status).toBe('ok');
    expect(done.markdown).toContain('First. Second. Third.');
    expect(gemini.requests[0].path).toBe(
      '/v1beta/models/gemini-test:streamGenerateContent'
    );
    expect(gemini.requests[0].query).toContain('alt=sse');
  });

  it('should stream when the client accepts text/event-stream', async () => {
    const { post } = await startServer(withKey());
    const events = await readSse(
      await post({ code: CODE }, { accept: 'text/event-stream' })
    );
    expect(events[0].event).toBe('lint');
    expect(events.at(-1)!.event).toBe('done');
  });

  it('should return the lint findings and how to enable AI without a key', async () => {
    const { post } = await startServer({ baseUrl: gemini.url });
    const review = await (await post({ code: CODE })).json();
    expect(review.ai.status).toBe('disabled');
    expect(review.ai.message).toContain('GEMINI_API_KEY');
    expect(review.findings).toHaveLength(1);
    expect(review.markdown).toContain('JAX008');
    expect(gemini.requests).toHaveLength(0);
  });

  for (const [status, fragment] of [
    [429, '429'],
    [500, '500']
  ] as const) {
    it(`should turn a ${status} from Gemini into ai.status error, not a server error`, async () => {
      gemini.behaviour = {
        kind: 'status',
        status,
        message: 'Resource has been exhausted'
      };
      const { post } = await startServer(withKey());
      for (const stream of [false, true]) {
        const res = await post({ code: CODE, stream });
        expect(res.status).toBe(200);
        const review = stream
          ? ((await readSse(res)).at(-1)!.data as {
              ai: { status: string; message: string };
              findings: unknown[];
            })
          : await res.json();
        expect(review.ai.status).toBe('error');
        expect(review.ai.message).toContain(fragment);
        expect(review.findings).toHaveLength(1);
      }
    });
  }

  it('should turn a Gemini timeout into ai.status error', async () => {
    gemini.behaviour = { kind: 'hang' };
    const { post } = await startServer(withKey(500));
    const started = Date.now();
    const res = await post({ code: CODE });
    expect(res.status).toBe(200);
    const review = await res.json();
    expect(review.ai.status).toBe('error');
    expect(review.ai.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("should reject an empty request and another user's project", async () => {
    const { post } = await startServer(withKey());
    const bad = await post({ requirements: 'x' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('INVALID_REQUEST');
    const foreign = await post({ code: CODE, projectId: 'not-mine' });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe('PROJECT_NOT_FOUND');
  });
});

describe('Review Code and the loader', () => {
  const REFUSED = [
    'import jax.numpy as jnp',
    '',
    'class Model:',
    '    pass',
    '',
    'model = Model()',
    'for step in range(3):',
    '    print(step)',
    ''
  ].join('\n');

  it('should head the review with what the run would refuse, with lines', async () => {
    const { post } = await startServer({});
    const res = await post({ code: REFUSED });
    expect(res.status).toBe(200);
    const review = (await res.json()) as {
      markdown: string;
      loadViolations: Array<{ rule: string; line: number; column: number }>;
    };
    expect(review.loadViolations.map(v => [v.rule, v.line, v.column])).toEqual([
      ['user-code-at-load', 6, 9],
      ['top-level-statement', 7, 1]
    ]);
    expect(review.markdown.indexOf('Before running')).toBeLessThan(
      review.markdown.indexOf('## JAX lint')
    );
    expect(review.markdown).toContain('calls your class Model');
  });

  it("should review every file of a project: the loader's refusals and the lint's findings name their file, and the model sees them", async () => {
    const { post } = await startServer(withKey());
    const res = await post({
      code: 'from models import f\nfrom utils.data import BATCH\n\ndef main():\n    return f(BATCH)\n',
      files: [
        {
          path: 'models.py',
          content:
            'import jax\n\n@jax.jit\ndef f(x):\n    print(x)\n    return x\n\nMODEL_9c = f(1)\n'
        },
        { path: 'utils/__init__.py', content: '' },
        { path: 'utils/data.py', content: 'BATCH = 32\n' },
        { path: 'notes.md', content: 'NOTES_4e: not Python\n' }
      ]
    });
    expect(res.status).toBe(200);
    const review = (await res.json()) as {
      findings: Array<{ rule: string; file?: string; line: number }>;
      loadViolations: Array<{ file: string; rule: string; line: number }>;
      markdown: string;
    };
    expect(review.loadViolations.map(v => [v.file, v.rule, v.line])).toEqual([
      ['models.py', 'user-code-at-load', 8]
    ]);
    expect(review.findings.map(f => [f.file, f.rule, f.line])).toEqual([
      ['models.py', 'JAX008', 5]
    ]);
    expect(review.markdown).toContain('at models.py line 5');
    const prompt = JSON.stringify(gemini.requests[0].body.contents);
    expect(prompt).toContain('## models.py');
    expect(prompt).toContain('MODEL_9c');
    expect(prompt).toContain('NOTES_4e');
    expect(prompt).toContain('models.py line 5');
  });

  it('should refuse a review of a file a project may not hold', async () => {
    const { post } = await startServer({});
    const res = await post({
      code: CODE,
      files: [{ path: '../up.py', content: '' }]
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'PROJECT_FILE_REJECTED',
      details: { path: '../up.py', rule: 'parent' }
    });
  });

  it('should say nothing before running when main.py loads', async () => {
    const { post } = await startServer({});
    const review = (await (await post({ code: CODE })).json()) as {
      markdown: string;
      loadViolations: unknown[];
    };
    expect(review.loadViolations).toEqual([]);
    expect(review.markdown).not.toContain('Before running');
  });

  it('should answer POST /api/make-runnable with the rewrite, and 400 for a bad body', async () => {
    const server = await startServer({});
    const call = (body: unknown) =>
      fetch(`${server.url}/api/make-runnable`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer tok',
          'content-type': 'application/json'
        },
        body: JSON.stringify(body)
      });
    const res = await call({ code: REFUSED });
    expect(res.status).toBe(200);
    const rewrite = (await res.json()) as {
      changed: boolean;
      source: string;
      violations: unknown[];
      globals: string[];
    };
    expect(rewrite.changed).toBe(true);
    expect(rewrite.violations).toEqual([]);
    expect(rewrite.source).toContain(
      'def main():\n    """What the script did at its top level'
    );
    expect(rewrite.source).toContain(
      '    model = Model()\n    for step in range(3):'
    );
    const bad = await call({ source: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe(
      'INVALID_REQUEST'
    );
  });
});
