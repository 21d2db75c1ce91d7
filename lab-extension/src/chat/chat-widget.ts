import type { TranslationBundle } from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type { ChatContext, ChatMessage } from '@jaxlab/schemas/contract';
import type { ApiClient } from '../api/api-client.js';
import { renderAnswer } from './chat-text.js';

/**
 * Chat about a run (or a comparison of runs): the context the model gets,
 * as chips the user can open to read exactly what was sent; the
 * conversation (kept on the server per run and per user); the answer
 * streaming in; without a Gemini key, how to enable it; a model error,
 * timeout or quota as the answer's clear message.
 */
export class ChatWidget extends Widget {
  constructor(options: ChatWidget.IOptions) {
    super();
    this.addClass('jp-jaxlab-Chat');
    this._client = options.client;
    this._jobId = options.jobId;
    this._compare = options.compareWith ?? [];
    this._trans = options.trans;
    const trans = this._trans;
    this.id =
      `jaxlab-chat-${[options.jobId, ...this._compare].join('-')}`.replace(
        /[^A-Za-z0-9_-]/g,
        '-'
      );
    this.title.label = this._compare.length
      ? trans.__('Chat: %1 runs', this._compare.length + 1)
      : trans.__('Chat: run %1', options.jobId.slice(-8));
    this.title.closable = true;

    this._chips = document.createElement('div');
    this._chips.className = 'jp-jaxlab-Chat-chips';
    this._chipText = document.createElement('pre');
    this._chipText.className = 'jp-jaxlab-Chat-chipText';
    this._chipText.hidden = true;
    this._notice = document.createElement('div');
    this._notice.className = 'jp-jaxlab-Chat-notice';
    this._notice.hidden = true;
    this._messages = document.createElement('div');
    this._messages.className = 'jp-jaxlab-Chat-messages';
    const form = document.createElement('div');
    form.className = 'jp-jaxlab-Chat-form';
    this._input = document.createElement('textarea');
    this._input.className = 'jp-jaxlab-Chat-input';
    this._input.rows = 2;
    this._input.placeholder = trans.__(
      'Ask about this run, e.g. “Why did the loss plateau?”'
    );
    this._send = document.createElement('button');
    this._send.className = 'jp-jaxlab-Button jp-mod-accept';
    this._send.textContent = trans.__('Ask');
    form.append(this._input, this._send);
    this.node.append(
      this._chips,
      this._chipText,
      this._notice,
      this._messages,
      form
    );
    void this._load();
  }

  /** The conversation shown. */
  get messages(): readonly ChatMessage[] {
    return this._items;
  }

  /** Asks `question` (as the Ask button does); resolves with the answer. */
  async ask(question: string): Promise<ChatMessage | undefined> {
    const text = question.trim();
    if (!text || this._busy) return undefined;
    this._busy = true;
    this._send.disabled = true;
    this._items.push({
      role: 'user',
      text,
      createdAt: new Date().toISOString()
    });
    this._appendMessage(this._items[this._items.length - 1]);
    const pending = this._appendMessage({
      role: 'model',
      text: '',
      createdAt: ''
    });
    pending.classList.add('jp-mod-streaming');
    let streamed = '';
    try {
      const answer = await this._client.askChat(
        this._jobId,
        {
          message: text,
          ...(this._compare.length ? { compareWith: this._compare } : {})
        },
        {
          onContext: context => this._showContext(context),
          onDelta: delta => {
            streamed += delta;
            this._fillMessage(pending, {
              role: 'model',
              text: streamed,
              createdAt: ''
            });
          }
        }
      );
      this._items.push(answer);
      this._fillMessage(pending, answer);
      return answer;
    } catch (error) {
      const failed: ChatMessage = {
        role: 'model',
        text: streamed,
        createdAt: new Date().toISOString(),
        error: (error as Error).message
      };
      this._items.push(failed);
      this._fillMessage(pending, failed);
      return failed;
    } finally {
      pending.classList.remove('jp-mod-streaming');
      this._busy = false;
      this._send.disabled = false;
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._send.addEventListener('click', this._onSend);
    this._input.addEventListener('keydown', this._onKey);
    this._chips.addEventListener('click', this._onChip);
  }

  protected onBeforeDetach(msg: Message): void {
    this._send.removeEventListener('click', this._onSend);
    this._input.removeEventListener('keydown', this._onKey);
    this._chips.removeEventListener('click', this._onChip);
    super.onBeforeDetach(msg);
  }

  private async _load(): Promise<void> {
    try {
      const conversation = await this._client.getChat(
        this._jobId,
        this._compare
      );
      this._items = [...conversation.items];
      this._showContext(conversation.context);
      this._notice.hidden = conversation.ai.status === 'ok';
      this._notice.textContent = conversation.ai.message ?? '';
      this._messages.replaceChildren();
      for (const item of this._items) this._appendMessage(item);
    } catch (error) {
      this._notice.hidden = false;
      this._notice.textContent = (error as Error).message;
    }
  }

  private _showContext(context: ChatContext): void {
    this._context = context;
    const title = document.createElement('span');
    title.className = 'jp-jaxlab-Chat-chipsTitle';
    title.textContent = this._trans.__('Context sent:');
    this._chips.replaceChildren(
      title,
      ...context.chips.map((chip, i) => {
        const b = document.createElement('button');
        b.className = 'jp-jaxlab-Chip';
        b.dataset.kind = chip.kind;
        b.dataset.index = String(i);
        b.textContent = chip.label;
        b.title = this._trans.__('Show exactly what the model gets');
        return b;
      })
    );
  }

  private _appendMessage(message: ChatMessage): HTMLDivElement {
    const div = document.createElement('div');
    this._fillMessage(div, message);
    this._messages.append(div);
    this._messages.scrollTop = this._messages.scrollHeight;
    return div;
  }

  private _fillMessage(div: HTMLDivElement, message: ChatMessage): void {
    div.className = `jp-jaxlab-Chat-message jp-mod-${message.role}${message.error ? ' jp-mod-error' : ''}`;
    div.replaceChildren();
    if (message.role === 'user') div.textContent = message.text;
    else if (message.text) div.append(renderAnswer(message.text));
    if (message.error) {
      const error = document.createElement('div');
      error.className = 'jp-jaxlab-Chat-error';
      error.textContent = message.error;
      div.append(error);
    }
    this._messages.scrollTop = this._messages.scrollHeight;
  }

  private _onSend = (): void => {
    const question = this._input.value;
    this._input.value = '';
    void this.ask(question);
  };

  private _onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this._onSend();
    }
  };

  private _onChip = (event: MouseEvent): void => {
    const index = (event.target as HTMLElement).dataset?.index;
    if (index === undefined || !this._context) return;
    const chip = this._context.chips[Number(index)];
    const same =
      !this._chipText.hidden && this._chipText.dataset.index === index;
    this._chipText.hidden = same;
    this._chipText.dataset.index = index;
    this._chipText.textContent = chip.text;
  };

  private _client: ApiClient;
  private _jobId: string;
  private _compare: string[];
  private _trans: TranslationBundle;
  private _chips: HTMLDivElement;
  private _chipText: HTMLPreElement;
  private _notice: HTMLDivElement;
  private _messages: HTMLDivElement;
  private _input: HTMLTextAreaElement;
  private _send: HTMLButtonElement;
  private _items: ChatMessage[] = [];
  private _context: ChatContext | undefined;
  private _busy = false;
}

/** Statics of {@link ChatWidget}. */
export namespace ChatWidget {
  export interface IOptions {
    client: ApiClient;
    jobId: string;
    /** Runs compared with it: the chat is about the comparison. */
    compareWith?: string[];
    trans: TranslationBundle;
  }
}
