/** How a button looks: plain, the one that accepts, or a link. */
export type ButtonLook = 'plain' | 'accept' | 'link';

const LOOK_CLASSES: Record<ButtonLook, string> = {
  plain: 'jp-jaxlab-Button',
  accept: 'jp-jaxlab-Button jp-mod-accept',
  link: 'jp-jaxlab-Button jp-jaxlab-LinkButton'
};

/**
 * A button that names its action in `data-action`, for a panel's one click
 * handler to read, with `data` as further `data-` attributes.
 */
export function actionButton(
  label: string,
  action: string,
  options: {
    look?: ButtonLook;
    data?: Record<string, string>;
    disabled?: boolean;
  } = {}
): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = LOOK_CLASSES[options.look ?? 'plain'];
  b.textContent = label;
  b.dataset.action = action;
  Object.assign(b.dataset, options.data);
  b.disabled = options.disabled ?? false;
  return b;
}
