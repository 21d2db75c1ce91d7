import type { Message } from '@lumino/messaging';
import { SplitPanel } from '@lumino/widgets';

/**
 * A split panel whose children keep their proportions when it is resized:
 * the ones it was given, or the ones a person last dragged its handles to.
 * Lumino's split layout keeps the sizes it last had instead, so after the
 * panel had been narrow (a run or the data viewer opened beside it) and
 * minimum widths had squeezed the editor, the editor stayed a sliver when
 * the panel widened again.
 */
export class ProportionalSplitPanel extends SplitPanel {
  constructor(options: ProportionalSplitPanel.IOptions) {
    super(options);
    this._proportions = options.proportions;
    this.handleMoved.connect(() => {
      this._proportions = this.relativeSizes();
    }, this);
  }

  processMessage(msg: Message): void {
    // Before the layout sees the new size, so it lays out once.
    if (msg.type === 'resize') {
      this.setRelativeSizes(this._proportions, false);
    }
    super.processMessage(msg);
  }

  private _proportions: number[];
}

export namespace ProportionalSplitPanel {
  export interface IOptions extends SplitPanel.IOptions {
    /** The children's relative sizes, in the order they are added. */
    proportions: number[];
  }
}
