import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChatContext,
  ChatConversation,
  ChatMessage
} from '@jaxlab/schemas';
import { CHAT_SYSTEM_INSTRUCTION } from '@jaxlab/server';
import type { ILabServerDeps } from '@jaxlab/server';
import type { NewJobEvent } from '@jaxlab/store';
import { startLabServer } from '../stand-ins/lab-server.js';
import type { ITestLabServer, ITestUser } from '../stand-ins/lab-server.js';
import { GeminiStandIn } from '../stand-ins/gemini-stand-in.js';

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

async function startServer(
  chat: ILabServerDeps['chat']
): Promise<{ lab: ITestLabServer; alice: ITestUser; bob: ITestUser }> {
  const lab = await startLabServer({ chat });
  closers.push(lab.close);
  return { lab, alice: await lab.as('alice'), bob: await lab.as('bob') };
}

const withKey = (timeoutMs = 5000): ILabServerDeps['chat'] => ({
  apiKey: 'chat-key',
  baseUrl: gemini.url,
  model: 'gemini-test',
  timeoutMs
});

/** A finished run of `owner` that printed step lines and kept a CSV. */
async function finishedRun(
  lab: ITestLabServer,
  owner: string,
  lr: number,
  finalLoss: number
): Promise<string> {
  const job = await lab.store.jobs.create(owner, {
    projectId: null,
    code: 'def main(lr=0.1):\n    pass\n',
    requirements: '',
    entrypoint: 'main',
    args: { lr },
    accelerator: 'cpu'
  });
  await lab.store.queue.claimNext({
    hostId: 'h',
    capacity: [{ accelerator: 'cpu', maxDevices: 1 }],
    leaseMs: 60_000
  });
  const events: NewJobEvent[] = [
    { type: 'job:status', status: 'RUNNING' },
    {
      type: 'job:log',
      stream: 'stdout',
      text: 'step 0: loss 2.5, accuracy 0.1\nstep 500: loss 0.9, accuracy 0.7\n'
    },
    {
      type: 'job:log',
      stream: 'stdout',
      text: `step 1000: loss ${finalLoss}, accuracy 0.93\nFinal loss: ${finalLoss}\n`
    },
    {
      type: 'job:metrics',
      metrics: {
        executionTimeMs: 1234.5,
        compilationTimeMs: 200,
        values: { loss: finalLoss },
        device: { platform: 'cpu', count: 1 }
      }
    } as NewJobEvent,
    { type: 'job:status', status: 'COMPLETED' }
  ];
  await lab.store.events.append(job.id, events, { hostId: 'h' });
  await lab.store.artifacts.put(job.id, {
    name: 'predictions.csv',
    data: Buffer.from('x,pred\n1,0.5\n2,1.5\n3,4\n')
  });
  return job.id;
}

async function ask(user: ITestUser, jobId: string, body: unknown) {
  const res = await user.call('POST', `/api/jobs/${jobId}/chat`, { body });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events = (await res.text())
    .split('\n\n')
    .filter(b => b.trim())
    .map(block => ({
      event: /^event: (.*)$/m.exec(block)![1],
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1])
    }));
  return {
    context: events.find(e => e.event === 'context')!.data as ChatContext,
    deltas: events
      .filter(e => e.event === 'delta')
      .map(e => e.data.text as string),
    done: events.find(e => e.event === 'done')!.data as ChatMessage
  };
}

describe('POST /api/jobs/{id}/chat', () => {
  it("should send the run's server-computed context to Gemini through @google/genai and stream the answer, kept per user", async () => {
    const { lab, alice, bob } = await startServer(withKey());
    const jobId = await finishedRun(lab, alice.id, 0.1, 0.21);
    gemini.behaviour = {
      kind: 'answer',
      chunks: [
        'The loss fell to 0.21 ',
        '[run x] [step 1000] [file predictions.csv].'
      ]
    };
    const { context, deltas, done } = await ask(alice, jobId, {
      message: 'How low did the loss get?'
    });

    expect(context.chips.map(c => c.kind)).toEqual([
      'manifest',
      'metrics',
      'series',
      'log',
      'artifacts'
    ]);
    const series = context.chips.find(c => c.kind === 'series')!.text;
    expect(series).toContain(
      'loss: 3 points; first 2.5 at step 0; last 0.21 at step 1000; min 0.21 at step 1000; max 2.5 at step 0'
    );
    expect(series).toContain('accuracy: 3 points');
    const files = context.chips.find(c => c.kind === 'artifacts')!.text;
    expect(files).toContain('file predictions.csv: text/csv');
    expect(files).toContain(
      'pred (number): count 3, missing 0, mean 2, min 0.5, max 4'
    );
    expect(deltas.join('')).toBe(
      'The loss fell to 0.21 [run x] [step 1000] [file predictions.csv].'
    );
    expect(done).toMatchObject({
      role: 'model',
      model: 'gemini-test',
      text: deltas.join('')
    });

    // What reached the model: the system instruction, every chip's text, the question.
    const request = gemini.requests.at(-1)!;
    expect(request.path).toBe(
      '/v1beta/models/gemini-test:streamGenerateContent'
    );
    expect(request.apiKey).toBe('chat-key');
    expect(request.body.systemInstruction?.parts?.[0]?.text).toBe(
      CHAT_SYSTEM_INSTRUCTION
    );
    const sent = JSON.stringify(request.body.contents);
    for (const chip of context.chips)
      expect(sent).toContain(JSON.stringify(chip.text).slice(1, -1));
    expect(request.body.contents!.at(-1)!.parts![0].text).toBe(
      'How low did the loss get?'
    );

    // The conversation is kept, and is the asker's only.
    gemini.behaviour = { kind: 'answer', chunks: ['Yes.'] };
    await ask(alice, jobId, { message: 'And the accuracy?' });
    const second = JSON.stringify(gemini.requests.at(-1)!.body.contents);
    expect(second).toContain('How low did the loss get?');
    expect(second).toContain('The loss fell to 0.21');
    const mine = (await (
      await alice.call('GET', `/api/jobs/${jobId}/chat`)
    ).json()) as ChatConversation;
    expect(mine.items.map(m => [m.role, m.text])).toEqual([
      ['user', 'How low did the loss get?'],
      [
        'model',
        'The loss fell to 0.21 [run x] [step 1000] [file predictions.csv].'
      ],
      ['user', 'And the accuracy?'],
      ['model', 'Yes.']
    ]);
    expect(mine.ai).toEqual({ status: 'ok', model: 'gemini-test' });
    expect((await bob.call('GET', `/api/jobs/${jobId}/chat`)).status).toBe(404);
  });

  it('should give a comparison the differences computed by the server', async () => {
    const { lab, alice } = await startServer(withKey());
    const a = await finishedRun(lab, alice.id, 0.1, 0.2);
    const b = await finishedRun(lab, alice.id, 0.3, 0.5);
    const { context } = await ask(alice, a, {
      message: 'Which is better?',
      compareWith: [b]
    });
    const diff = context.chips.find(c => c.kind === 'diff')!;
    expect(diff.text).toContain('argument lr: 0.1 -> 0.3');
    expect(diff.text).toContain('loss: 0.2 -> 0.5, difference 0.3 (2.5000x)');
    expect(
      context.chips.filter(c => c.kind === 'manifest').map(c => c.jobId)
    ).toEqual([a, b]);
    const comparison = (await (
      await alice.call('GET', `/api/jobs/${a}/chat?compare=${b}`)
    ).json()) as ChatConversation;
    expect(comparison.items).toHaveLength(2);
    expect(
      (
        (await (
          await alice.call('GET', `/api/jobs/${a}/chat`)
        ).json()) as ChatConversation
      ).items
    ).toEqual([]);
  });

  it('should say how to enable the chat without a key, and turn errors, quota and timeouts into clear answers', async () => {
    const off = await startServer(undefined);
    const run = await finishedRun(off.lab, off.alice.id, 0.1, 0.2);
    const conversation = (await (
      await off.alice.call('GET', `/api/jobs/${run}/chat`)
    ).json()) as ChatConversation;
    expect(conversation.ai.status).toBe('disabled');
    expect(conversation.ai.message).toMatch(/GEMINI_API_KEY/);
    expect((await ask(off.alice, run, { message: 'hi' })).done.error).toMatch(
      /GEMINI_API_KEY/
    );
    expect(gemini.requests).toHaveLength(0);

    const { lab, alice } = await startServer(withKey(1000));
    const jobId = await finishedRun(lab, alice.id, 0.1, 0.2);
    gemini.behaviour = {
      kind: 'status',
      status: 429,
      message: 'Resource has been exhausted'
    };
    expect((await ask(alice, jobId, { message: 'q' })).done.error).toMatch(
      /quota or rate limit \(429\)/
    );
    gemini.behaviour = { kind: 'status', status: 500, message: 'boom' };
    expect((await ask(alice, jobId, { message: 'q' })).done.error).toMatch(
      /Gemini answered an error \(500\)/
    );
    gemini.behaviour = { kind: 'hang' };
    expect((await ask(alice, jobId, { message: 'q' })).done.error).toMatch(
      /The chat timed out: gemini-test did not answer within 1 s/
    );
    const bad = await alice.call('POST', `/api/jobs/${jobId}/chat`, {
      body: { message: '' }
    });
    expect(bad.status).toBe(400);
  });
});
