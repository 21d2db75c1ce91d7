import type { LintFinding, Review } from '@jaxlab/schemas/contract';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

/**
 * The review of a project's code: what a run would refuse and the lint
 * findings as a clickable list (each opens its file at its line), then the
 * review Markdown rendered by rendermime.
 */
export class ReviewWidget extends Panel {
  /** Make an empty review view. */
  constructor(rendermime: IRenderMimeRegistry, trans: TranslationBundle) {
    super();
    this.addClass('jp-jaxlab-Review');
    this._rendermime = rendermime;
    this._trans = trans;
    this._status = new Widget();
    this._status.addClass('jp-jaxlab-Review-status');
    this._status.node.textContent = trans.__(
      'Press “Review Code” for a review of main.py.'
    );
    this._findings = document.createElement('ol');
    this._findings.className = 'jp-jaxlab-Findings';
    const list = new Widget({ node: this._findings });
    this.addWidget(this._status);
    this.addWidget(list);
  }

  /** Emitted with its place when the user picks a refusal or a finding. */
  get findingActivated(): ISignal<this, IReviewWidget.IPosition> {
    return this._findingActivated;
  }

  /** The findings shown. */
  get findings(): readonly LintFinding[] {
    return this._review?.findings ?? [];
  }

  /** Show that a review is on its way. */
  showPending(): void {
    this.addClass('jp-mod-pending');
    this._status.node.textContent = this._trans.__('Reviewing main.py…');
  }

  /** Show an error instead of a review. */
  showError(message: string): void {
    this.removeClass('jp-mod-pending');
    this._status.node.textContent = message;
  }

  /** Show a review: what the run would refuse first, then the lint findings. */
  async showReview(review: Review): Promise<void> {
    const trans = this._trans;
    this.removeClass('jp-mod-pending');
    this._review = review;
    const refusals = review.loadViolations ?? [];
    const counts = { error: 0, warning: 0, info: 0 };
    for (const f of review.findings) {
      counts[f.severity]++;
    }
    const lint = review.findings.length
      ? trans.__(
          '%1 lint findings: %2 errors, %3 warnings, %4 notes. Click one to go to its line.',
          review.findings.length,
          counts.error,
          counts.warning,
          counts.info
        )
      : trans.__('No lint findings.');
    this._status.node.textContent = refusals.length
      ? `${trans.__('A run would refuse main.py as it is (%1 problems listed first; Make it runnable fixes top-level work).', refusals.length)} ${lint}`
      : lint;
    this._positions = [
      ...refusals.map(v => ({ file: v.file, line: v.line, column: v.column })),
      ...review.findings.map(f => ({
        file: f.file ?? 'main.py',
        line: f.line,
        column: f.column
      }))
    ];
    this._findings.replaceChildren(
      ...refusals.map((violation, index) =>
        this._item(
          index,
          'load',
          violation.file,
          violation.line,
          violation.rule,
          violation.message,
          `${trans.__('What to do:')} ${violation.hint}`
        )
      ),
      ...review.findings.map((finding, index) =>
        this._item(
          refusals.length + index,
          finding.severity,
          finding.file ?? 'main.py',
          finding.line,
          finding.name ? `${finding.rule} ${finding.name}` : finding.rule,
          finding.message,
          `${trans.__('Fix:')} ${finding.fix}`
        )
      )
    );
    this._markdown?.dispose();
    const renderer = this._rendermime.createRenderer('text/markdown');
    renderer.addClass('jp-jaxlab-Review-markdown');
    this._markdown = renderer;
    this.addWidget(renderer);
    const model = this._rendermime.createModel({
      data: { 'text/markdown': review.markdown },
      trusted: false
    });
    await renderer.renderModel(model);
  }

  private _item(
    index: number,
    severity: string,
    file: string,
    line: number,
    ruleText: string,
    messageText: string,
    fixText: string
  ): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'jp-jaxlab-Finding';
    if (severity === 'load') li.classList.add('jp-mod-refused');
    li.dataset.severity = severity === 'load' ? 'error' : severity;
    li.dataset.index = String(index);
    li.tabIndex = 0;
    li.title = this._trans.__('Go to line %1 of %2', line, file);
    const head = document.createElement('div');
    head.className = 'jp-jaxlab-Finding-head';
    const where = document.createElement('span');
    where.className = 'jp-jaxlab-Finding-line';
    where.textContent =
      file === 'main.py'
        ? this._trans.__('line %1', line)
        : this._trans.__('%1 line %2', file, line);
    const rule = document.createElement('span');
    rule.className = 'jp-jaxlab-Finding-rule';
    rule.textContent = ruleText;
    const message = document.createElement('span');
    message.className = 'jp-jaxlab-Finding-message';
    message.textContent = messageText;
    head.append(where, rule, message);
    const fix = document.createElement('div');
    fix.className = 'jp-jaxlab-Finding-fix';
    fix.textContent = fixText;
    li.append(head, fix);
    return li;
  }

  protected onAfterAttach(): void {
    this._findings.addEventListener('click', this._onActivate);
    this._findings.addEventListener('keydown', this._onKey);
  }

  protected onBeforeDetach(): void {
    this._findings.removeEventListener('click', this._onActivate);
    this._findings.removeEventListener('keydown', this._onKey);
  }

  private _onActivate = (event: Event): void => {
    const li = (event.target as HTMLElement).closest<HTMLElement>(
      '.jp-jaxlab-Finding'
    );
    const position = li ? this._positions[Number(li.dataset.index)] : undefined;
    if (position) {
      this._findingActivated.emit(position);
    }
  };

  private _onKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this._onActivate(event);
    }
  };

  private _rendermime: IRenderMimeRegistry;
  private _trans: TranslationBundle;
  private _status: Widget;
  private _findings: HTMLOListElement;
  private _markdown: Widget | null = null;
  private _review: Review | null = null;
  private _positions: IReviewWidget.IPosition[] = [];
  private _findingActivated = new Signal<this, IReviewWidget.IPosition>(this);
}

/** Types of {@link ReviewWidget}. */
export namespace IReviewWidget {
  /** A place in a project's file (1-based). */
  export interface IPosition {
    /** The file's path: main.py or another file of the project. */
    file: string;
    line: number;
    column: number;
  }
}
