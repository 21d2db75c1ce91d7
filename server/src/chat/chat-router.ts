import express from 'express';
import type { Request, Router } from 'express';
import type { ChatStreamData, Job } from '@jaxlab/schemas';
import { assertValid } from '@jaxlab/schemas';
import type { IJobs } from '@jaxlab/store';
import { ownerOf, queryString } from '../http/index.js';
import { ownJob } from '../jobs/own-job.js';
import type { RunChat } from './run-chat.js';

/** Options of {@link createChatRouter}. */
export interface IChatRouterOptions {
  jobs: IJobs;
  chat: RunChat;
}

/**
 * The chat about a run (mount at `/api/jobs`):
 *
 * - `GET /{id}/chat?compare=<id>,<id>` → ChatConversation (the user's
 *   messages, the context chips, whether the model is on);
 * - `POST /{id}/chat` ChatRequest → Server-Sent Events `context`
 *   (ChatContext), `delta` (`{text}`) …, `done` (the stored ChatMessage;
 *   `error` says what went wrong with the model and what to do).
 *
 * Every run named must be the caller's (404 otherwise).
 */
export function createChatRouter(options: IChatRouterOptions): Router {
  const { jobs, chat } = options;
  const router = express.Router();

  const ownJobs = (req: Request, ids: string[]): Promise<Job[]> =>
    Promise.all(ids.map(id => ownJob(jobs, id, ownerOf(req))));

  router.get('/:id/chat', async (req, res) => {
    const compare = (queryString(req, 'compare', 600) ?? '')
      .split(',')
      .filter(Boolean)
      .slice(0, 7);
    const [job, ...others] = await ownJobs(req, [
      String(req.params.id),
      ...compare
    ]);
    res.json(await chat.conversation(ownerOf(req), job, others));
  });

  router.post('/:id/chat', async (req, res) => {
    // Another user's run answers 404 whatever the body.
    const [job] = await ownJobs(req, [String(req.params.id)]);
    const body: unknown = req.body;
    assertValid('chat-request', body, 'chat request');
    const others = await ownJobs(req, body.compareWith ?? []);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.status(200).set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no'
    });
    res.flushHeaders();
    for await (const ev of chat.ask(
      ownerOf(req),
      job,
      others,
      body.message,
      abort.signal
    )) {
      if (abort.signal.aborted) break;
      const data: ChatStreamData =
        ev.type === 'context'
          ? ev.context
          : ev.type === 'delta'
            ? { text: ev.text }
            : ev.message;
      res.write(`event: ${ev.type}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    res.end();
  });

  return router;
}
