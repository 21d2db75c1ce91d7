import type {
  ChatContext,
  ChatMessage,
  ChatRequest
} from '@jaxlab/schemas/contract';
import { networkError } from './api-error.js';
import { parseEventData, type ApiTransport } from './api-transport.js';
import { readServerSentEvents } from './sse-parser.js';

/** What hears a chat answer as it streams. */
export interface IChatHandlers {
  /** The chips sent to the model. */
  onContext?: (context: ChatContext) => void;
  /** Each piece of the answer. */
  onDelta?: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Posts a question about job `id` to `POST /api/jobs/{id}/chat` and reads
 * its `text/event-stream` answer: `context`, then `delta`s, then `done`
 * with the stored message, each checked against its schema.
 *
 * @throws JaxLabError the server's refusal, `INVALID_RESPONSE` for an event
 * that breaks its schema, `NETWORK_ERROR` when the stream ends before `done`.
 */
export async function readChatAnswer(
  transport: ApiTransport,
  id: string,
  body: ChatRequest,
  handlers: IChatHandlers
): Promise<ChatMessage> {
  const response = await transport.request(
    `/api/jobs/${encodeURIComponent(id)}/chat`,
    {
      method: 'POST',
      body,
      accept: 'text/event-stream',
      signal: handlers.signal
    }
  );
  for await (const raw of readServerSentEvents(response.body!)) {
    const data = parseEventData(
      'chat-stream-data',
      raw.data,
      'The chat',
      'event'
    );
    if (raw.event === 'context') handlers.onContext?.(data as ChatContext);
    else if (raw.event === 'delta')
      handlers.onDelta?.((data as { text: string }).text);
    else if (raw.event === 'done') return data as ChatMessage;
  }
  throw networkError('The chat stream ended before its answer.', undefined);
}
