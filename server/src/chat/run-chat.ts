import type { Content } from '@google/genai';
import type {
  ChatContext,
  ChatConversation,
  ChatMessage,
  Job
} from '@jaxlab/schemas';
import type { IChats, IJobArtifacts, IJobEvents } from '@jaxlab/store';
import { GeminiModel } from '../gemini/gemini-model.js';
import type { IGeminiModelOptions } from '../gemini/gemini-model.js';
import type { TableViewer } from '../viewer/index.js';
import { buildRunContext } from './run-context.js';

/** The sentence the chat panel shows when no Gemini key is configured. */
export const CHAT_DISABLED_MESSAGE =
  'The chat is off: set GEMINI_API_KEY (a Google AI Studio key) in the server environment and restart the lab to ask questions about runs.';

/**
 * The system instruction of the chat: answer from the context only, quote
 * the server's numbers, cite runs, steps and files.
 *
 * @internal Exported for the chat tests.
 */
export const CHAT_SYSTEM_INSTRUCTION = [
  'You answer questions about machine-learning runs of JAX programs, for the researcher who ran them.',
  'Use only the context given (the run manifest and call, metrics, step-series summaries, the log tail, the files the run wrote with their column statistics, and for a comparison the differences).',
  'Every number in the context was computed by the server: quote those numbers, never estimate or recompute one; if a number you would need is not in the context, say so.',
  'Cite what you used in square brackets: [run <id>], [step <n>], [file <name>].',
  'Be brief: a direct answer first, then the evidence.'
].join(' ');

/**
 * Options of {@link RunChat}: the Gemini model's (without `apiKey` the chat
 * says how to enable it).
 */
export type IRunChatOptions = IGeminiModelOptions;

/** One event of an answer, in order: `context`, `delta`*, `done`. */
export type ChatStreamEvent =
  | { type: 'context'; context: ChatContext }
  | { type: 'delta'; text: string }
  | { type: 'done'; message: ChatMessage };

/** Messages of the conversation sent back to the model with a question. */
const HISTORY_MESSAGES = 20;

/**
 * Chat about a run (or a comparison) with Gemini through `@google/genai`:
 * the context is built by the server ({@link buildRunContext}) and shown
 * to the user as chips; the conversation is kept per run and per user in
 * the store's `chats` part. Model trouble (no key, errors, timeouts,
 * quota) becomes an answer with `error`, never an exception.
 */
export class RunChat {
  constructor(options: RunChat.IOptions) {
    this._options = options;
    this._gemini = new GeminiModel(options, {
      name: 'The chat',
      whileWaiting: ''
    });
  }

  /** The user's conversation about `job` (and `others`), with the context the next answer gets. */
  async conversation(
    owner: string,
    job: Job,
    others: Job[]
  ): Promise<ChatConversation> {
    const [items, context] = await Promise.all([
      this._options.chats.list(conversationOf(job, others), owner),
      buildRunContext(this._options, job, others)
    ]);
    return {
      items,
      context,
      ai: this._gemini.isEnabled
        ? { status: 'ok', model: this._gemini.name }
        : { status: 'disabled', message: CHAT_DISABLED_MESSAGE }
    };
  }

  /** Asks `question`; yields the context, the answer as it streams, then the stored answer. */
  async *ask(
    owner: string,
    job: Job,
    others: Job[],
    question: string,
    signal?: AbortSignal
  ): AsyncGenerator<ChatStreamEvent> {
    const { chats } = this._options;
    const key = conversationOf(job, others);
    const history = await chats.list(key, owner, HISTORY_MESSAGES);
    const context = await buildRunContext(this._options, job, others);
    yield { type: 'context', context };
    await chats.append(key, owner, {
      role: 'user',
      text: question,
      createdAt: new Date().toISOString()
    });
    const answer: ChatMessage = { role: 'model', text: '', createdAt: '' };
    if (!this._gemini.isEnabled) {
      answer.error = CHAT_DISABLED_MESSAGE;
    } else {
      answer.model = this._gemini.name;
      const request = {
        contents: contentsOf(context, history, question),
        systemInstruction: CHAT_SYSTEM_INSTRUCTION
      };
      for await (const part of this._gemini.stream(request, signal)) {
        if (part.type === 'error') {
          answer.error = part.message;
        } else {
          answer.text += part.text;
          yield part;
        }
      }
    }
    answer.createdAt = new Date().toISOString();
    answer.text = answer.text.slice(0, 100_000);
    await chats.append(key, owner, answer);
    yield { type: 'done', message: answer };
  }

  private _options: RunChat.IOptions;
  private _gemini: GeminiModel;
}

/** Statics of {@link RunChat}. */
export namespace RunChat {
  export interface IOptions extends IRunChatOptions {
    events: IJobEvents;
    artifacts: IJobArtifacts;
    chats: IChats;
    viewer: TableViewer;
  }
}

/** The conversation's name: the run, or the runs compared. */
function conversationOf(job: Job, others: Job[]): string {
  return others.length
    ? `compare:${[job.id, ...others.map(o => o.id)].sort().join(',')}`
    : job.id;
}

/** The context as the first turn, then the conversation so far, then the question. */
function contentsOf(
  context: ChatContext,
  history: ChatMessage[],
  question: string
): Content[] {
  const contextText = context.chips
    .map(c => `### ${c.label}\n${c.text}`)
    .join('\n\n');
  const turns: Content[] = [
    {
      role: 'user',
      parts: [
        {
          text: `Context of the run(s), computed by the lab server:\n\n${contextText}`
        }
      ]
    },
    {
      role: 'model',
      parts: [
        {
          text: 'Understood: I will answer from this context and cite runs, steps and files.'
        }
      ]
    }
  ];
  for (const message of history) {
    if (message.error || !message.text) continue;
    turns.push({ role: message.role, parts: [{ text: message.text }] });
  }
  turns.push({ role: 'user', parts: [{ text: question }] });
  return turns;
}
