import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * A widget of form fields: while it is attached, {@link FormWidget.onEdit}
 * hears every `input` and `change` event of the fields inside it.
 */
export abstract class FormWidget extends Widget {
  /** An input or change event of a field inside the form. */
  protected abstract onEdit(event: Event): void;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.node.addEventListener('input', this._onEdit);
    this.node.addEventListener('change', this._onEdit);
  }

  protected onBeforeDetach(msg: Message): void {
    this.node.removeEventListener('input', this._onEdit);
    this.node.removeEventListener('change', this._onEdit);
    super.onBeforeDetach(msg);
  }

  private _onEdit = (event: Event): void => this.onEdit(event);
}
