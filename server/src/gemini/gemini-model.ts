import { ApiError, GoogleGenAI } from '@google/genai';
import type {
  ContentListUnion,
  GenerateContentParameters
} from '@google/genai';

/** Model used when none is configured. */
export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-flash';

/** Options of {@link GeminiModel}. */
export interface IGeminiModelOptions {
  /** Gemini API key; without it {@link GeminiModel.isEnabled} is false. */
  apiKey?: string;
  /** Gemini model (default {@link DEFAULT_GEMINI_MODEL}). */
  model?: string;
  /** Base URL of the Gemini API (a local stand-in in tests). */
  baseUrl?: string;
  /** Give up on the model after this long (default 60 s). */
  timeoutMs?: number;
}

/** How a feature is named in its failure messages. */
export interface IModelFeature {
  /** The subject of the sentence, e.g. `'The AI review'`. */
  name: string;
  /** Said after a timeout, before "try again later" (may be ''). */
  whileWaiting: string;
}

/** One question to the model. */
export interface IModelRequest {
  contents: ContentListUnion;
  systemInstruction: string;
}

/**
 * A piece of a streamed answer: text as it comes, or, last, why the answer
 * stopped short, as a sentence a user can act on.
 */
export type ModelAnswerPart =
  { type: 'delta'; text: string } | { type: 'error'; message: string };

/**
 * The lab's one call path to Gemini, through Google's Gen AI SDK
 * (`@google/genai`): the client, the model name, a deadline joined with the
 * caller's abort signal, and model trouble (errors, timeouts, quota)
 * turned into a sentence instead of an exception.
 *
 * @example
 * ```ts
 * const gemini = new GeminiModel({ apiKey }, { name: 'The chat', whileWaiting: '' });
 * for await (const part of gemini.stream({ contents, systemInstruction })) {
 *   if (part.type === 'delta') process.stdout.write(part.text);
 * }
 * ```
 */
export class GeminiModel {
  constructor(options: IGeminiModelOptions, feature: IModelFeature) {
    this._options = options;
    this._feature = feature;
    this._model = options.model ?? DEFAULT_GEMINI_MODEL;
    if (options.apiKey) {
      this._ai = new GoogleGenAI({
        apiKey: options.apiKey,
        httpOptions: options.baseUrl ? { baseUrl: options.baseUrl } : undefined
      });
    }
  }

  /** The model asked, for display. */
  get name(): string {
    return this._model;
  }

  /** Whether a key is configured (without one, every call throws). */
  get isEnabled(): boolean {
    return this._ai !== undefined;
  }

  /**
   * One non-streamed call: the whole answer, or why there is none.
   *
   * @throws Error when no key is configured (check {@link isEnabled}).
   */
  async generate(
    request: IModelRequest,
    signal?: AbortSignal
  ): Promise<{ text: string } | { error: string }> {
    const ai = this._client();
    const deadline = this._deadline(signal);
    try {
      const res = await ai.models.generateContent(
        this._parameters(request, deadline.signal)
      );
      return { text: res.text ?? '' };
    } catch (err) {
      return { error: this._describe(err, deadline.timedOut()) };
    } finally {
      deadline.dispose();
    }
  }

  /**
   * A streamed call: the answer's text as it comes, then, if the model
   * failed or timed out on the way, one `error` part.
   *
   * @throws Error when no key is configured (check {@link isEnabled}).
   */
  async *stream(
    request: IModelRequest,
    signal?: AbortSignal
  ): AsyncGenerator<ModelAnswerPart> {
    const ai = this._client();
    const deadline = this._deadline(signal);
    try {
      const stream = await ai.models.generateContentStream(
        this._parameters(request, deadline.signal)
      );
      for await (const chunk of stream) {
        const text = chunk.text ?? '';
        if (text) yield { type: 'delta', text };
      }
    } catch (err) {
      yield {
        type: 'error',
        message: this._describe(err, deadline.timedOut())
      };
    } finally {
      deadline.dispose();
    }
  }

  private _client(): GoogleGenAI {
    if (!this._ai) throw new Error('GeminiModel: no API key is configured');
    return this._ai;
  }

  private _parameters(
    request: IModelRequest,
    abortSignal: AbortSignal
  ): GenerateContentParameters {
    return {
      model: this._model,
      contents: request.contents,
      config: { systemInstruction: request.systemInstruction, abortSignal }
    };
  }

  private _deadline(signal?: AbortSignal): {
    signal: AbortSignal;
    timedOut(): boolean;
    dispose(): void;
  } {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, this._timeoutMs);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      dispose: () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    };
  }

  /** A model failure as one sentence a user can act on. */
  private _describe(err: unknown, timedOut: boolean): string {
    const { name, whileWaiting } = this._feature;
    const model = this._model;
    let message: string;
    if (timedOut) {
      message = `${name} timed out: ${model} did not answer within ${Math.round(this._timeoutMs / 1000)} s.${whileWaiting} try again later.`;
    } else if (err instanceof ApiError && err.status === 429) {
      message = `${name} hit the Gemini quota or rate limit (429). Wait a minute and try again, or check the quota of the API key.`;
    } else if (
      err instanceof ApiError &&
      (err.status === 401 || err.status === 403)
    ) {
      message = `Gemini refused the API key (${err.status}). Check GEMINI_API_KEY.`;
    } else if (err instanceof ApiError) {
      message = `Gemini answered an error (${err.status}) for ${model}: ${firstLine(err.message)}. Try again later.`;
    } else {
      message = `${name} failed: ${firstLine((err as Error)?.message ?? String(err))}. Try again later.`;
    }
    return message.slice(0, 2000);
  }

  private get _timeoutMs(): number {
    return this._options.timeoutMs ?? 60_000;
  }

  private _options: IGeminiModelOptions;
  private _feature: IModelFeature;
  private _model: string;
  private _ai: GoogleGenAI | undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}
