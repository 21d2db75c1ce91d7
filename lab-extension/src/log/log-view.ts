import { Widget } from '@lumino/widgets';
import { AnsiParser, isPlainStyle, renderSegment } from './ansi.js';
import {
  countNewlines,
  type ILogBatch,
  type LogModel,
  type LogStream
} from './log-model.js';
import { TailFollower } from './tail-follow.js';

/**
 * Live log of a job: stdout and stderr (stderr styled apart), ANSI colours
 * rendered as spans, following the tail unless the user scrolls up.
 *
 * Output goes into `<pre>` blocks of at most `blockLines` lines; plain text
 * extends the previous text node, so the DOM holds a node per style run, not
 * per line. Offscreen blocks skip layout (`content-visibility: auto`), and at
 * most `maxBlocks` blocks are kept: older ones are dropped with a note.
 */
export class LogView extends Widget {
  /** Make a view of `model`. */
  constructor(model: LogModel, options: LogView.IOptions = {}) {
    super();
    this.addClass('jp-jaxlab-LogView');
    this._model = model;
    this._blockLines = options.blockLines ?? 2000;
    this._maxBlocks = options.maxBlocks ?? 100;
    this._note = document.createElement('div');
    this._note.className = 'jp-jaxlab-LogView-note';
    this._note.hidden = true;
    this.node.appendChild(this._note);
    this._emptyText = options.emptyText ?? '';
    this._empty = document.createElement('div');
    this._empty.className = 'jp-jaxlab-LogView-empty';
    this._empty.textContent = this._emptyText;
    this.node.appendChild(this._empty);
    model.flushed.connect(this._onFlushed, this);
    model.cleared.connect(this._onCleared, this);
  }

  /** What the view says while the log is empty (the run's state decides). */
  get emptyText(): string {
    return this._emptyText;
  }

  set emptyText(text: string) {
    this._emptyText = text;
    this._empty.textContent = text;
  }

  /** The follow/scroll-up logic. */
  get follower(): TailFollower {
    return this._follower;
  }

  /** Number of `<pre>` blocks in the DOM. */
  get blockCount(): number {
    return this._blocks.length;
  }

  /** Scroll to the end and follow again. */
  scrollToEnd(): void {
    this._follower.follow();
    this._scrollToEnd();
  }

  protected onAfterAttach(): void {
    this.node.addEventListener('scroll', this._onScroll, { passive: true });
    if (this._follower.isFollowing) {
      this._scrollToEnd();
    }
  }

  protected onBeforeDetach(): void {
    this.node.removeEventListener('scroll', this._onScroll);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._model.flushed.disconnect(this._onFlushed, this);
    this._model.cleared.disconnect(this._onCleared, this);
    super.dispose();
  }

  private _onFlushed(_: LogModel, batch: ILogBatch): void {
    this._empty.hidden = true;
    for (const entry of batch.entries) {
      this._appendEntry(entry.stream, entry.text);
    }
    if (this._follower.isFollowing) {
      this._scrollToEnd();
    }
  }

  private _appendEntry(stream: LogStream, text: string): void {
    const parser =
      stream === 'stderr' ? this._stderrParser : this._stdoutParser;
    for (const segment of parser.push(text)) {
      let rest = segment.text;
      while (rest) {
        const block = this._currentBlock();
        const room = this._blockLines - this._blockLineCount;
        const cut = nthNewline(rest, room);
        const piece = cut < 0 ? rest : rest.slice(0, cut + 1);
        rest = cut < 0 ? '' : rest.slice(cut + 1);
        this._blockLineCount += countNewlines(piece);
        const container = stream === 'stderr' ? this._stderrSpan(block) : block;
        const last = container.lastChild;
        if (
          isPlainStyle(segment.style) &&
          last &&
          last.nodeType === Node.TEXT_NODE
        ) {
          (last as Text).appendData(piece);
        } else {
          container.appendChild(
            renderSegment(document, { text: piece, style: segment.style })
          );
        }
        if (this._blockLineCount >= this._blockLines) {
          this._blocks.push(this._newBlock());
          this._blockLineCount = 0;
          this._trim();
        }
      }
    }
  }

  private _stderrSpan(block: HTMLPreElement): HTMLElement {
    const last = block.lastChild as HTMLElement | null;
    if (
      last &&
      last.nodeType === Node.ELEMENT_NODE &&
      last.classList.contains('jp-jaxlab-stderr')
    ) {
      return last;
    }
    const span = document.createElement('span');
    span.className = 'jp-jaxlab-stderr';
    block.appendChild(span);
    return span;
  }

  private _currentBlock(): HTMLPreElement {
    if (!this._blocks.length) {
      this._blocks.push(this._newBlock());
    }
    return this._blocks[this._blocks.length - 1];
  }

  private _newBlock(): HTMLPreElement {
    const pre = document.createElement('pre');
    pre.className = 'jp-jaxlab-LogView-block';
    this.node.appendChild(pre);
    return pre;
  }

  private _trim(): void {
    while (this._blocks.length > this._maxBlocks) {
      this._blocks.shift()!.remove();
      this._droppedLines += this._blockLines;
    }
    if (this._droppedLines) {
      this._note.hidden = false;
      this._note.textContent = `… ${this._droppedLines.toLocaleString()} earlier lines not shown (export the run to see the full log)`;
    }
  }

  private _onCleared(): void {
    for (const block of this._blocks) {
      block.remove();
    }
    this._blocks = [];
    this._blockLineCount = 0;
    this._droppedLines = 0;
    this._note.hidden = true;
    this._empty.hidden = false;
    this._stdoutParser = new AnsiParser();
    this._stderrParser = new AnsiParser();
    this._follower.follow();
  }

  private _scrollToEnd(): void {
    const target = Math.max(0, this.node.scrollHeight - this.node.clientHeight);
    if (Math.abs(this.node.scrollTop - target) > 1) {
      this._follower.willScrollTo(target);
      this.node.scrollTop = target;
    }
  }

  // Stored once so that onBeforeDetach removes the very listener it added.
  private _onScroll = (): void => {
    this._follower.onScroll({
      scrollTop: this.node.scrollTop,
      scrollHeight: this.node.scrollHeight,
      clientHeight: this.node.clientHeight
    });
  };

  private _model: LogModel;
  private _blockLines: number;
  private _maxBlocks: number;
  private _blocks: HTMLPreElement[] = [];
  private _blockLineCount = 0;
  private _droppedLines = 0;
  private _note: HTMLDivElement;
  private _empty: HTMLDivElement;
  private _emptyText: string;
  private _follower = new TailFollower();
  private _stdoutParser = new AnsiParser();
  private _stderrParser = new AnsiParser();
}

/** Statics of {@link LogView}. */
export namespace LogView {
  /** Options of {@link LogView}. */
  export interface IOptions {
    /** Lines per `<pre>` block. */
    blockLines?: number;
    /** Blocks kept in the DOM; older ones are dropped. */
    maxBlocks?: number;
    /** Text shown before any output arrives. */
    emptyText?: string;
  }
}

/** Index of the `n`-th newline (1-based) in `text`, or -1. */
function nthNewline(text: string, n: number): number {
  let index = -1;
  for (let i = 0; i < n; i++) {
    index = text.indexOf('\n', index + 1);
    if (index < 0) {
      return -1;
    }
  }
  return index;
}
