import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/** What a {@link renderLabPage} page says. */
export interface ILabPage {
  /** The heading, e.g. "Sign in to JAX TPU Lab". */
  title: string;
  /** What happened, one or two sentences. */
  message: string;
  /** What to do next. */
  hint?: string;
  /** Buttons or links, in order; the first is the primary one. */
  actions?: ILabPage.IAction[];
  /**
   * A form posted to `action` as soon as the page loads (sign-out across
   * the lab server and JupyterHub); its button is the fallback without
   * scripts.
   */
  autoSubmit?: { action: string; label: string };
}

/** Statics of {@link ILabPage}. */
export namespace ILabPage {
  /** A link shown as a button. */
  export interface IAction {
    label: string;
    href: string;
  }
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[
        c
      ]!
  );

/**
 * A small HTML page in JupyterLab's light style (its fonts, brand blue
 * and layout), for what a person opens in a browser: sign-in, sign-out,
 * and errors on the way, never a JSON body. `nonce` is the CSP nonce of
 * its one style and script element.
 */
export function renderLabPage(page: ILabPage, nonce = ''): string {
  const n = nonce ? ` nonce="${nonce}"` : '';
  const actions = (page.actions ?? [])
    .map(
      (a, i) =>
        `<a class="button${i === 0 ? ' primary' : ''}" href="${escapeHtml(a.href)}">${escapeHtml(a.label)}</a>`
    )
    .join('');
  const form = page.autoSubmit
    ? `<form id="auto" method="post" action="${escapeHtml(page.autoSubmit.action)}"><button class="button primary" type="submit">${escapeHtml(page.autoSubmit.label)}</button></form><script${n}>document.getElementById('auto').submit();</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · JAX TPU Lab</title>
<style${n}>
body{margin:0;background:#eeeeee;color:rgba(0,0,0,.87);font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px}
header{background:#fff;border-bottom:1px solid #e0e0e0;padding:8px 16px;display:flex;align-items:center;gap:8px;font-weight:600}
header .logo{width:20px;height:20px;border-radius:4px;background:#1976d2;color:#fff;display:inline-flex;align-items:center;justify-content:center;font-size:12px}
main{max-width:560px;margin:64px auto;background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;font-weight:500;margin:0 0 12px}
p{line-height:1.5;margin:0 0 12px}
p.hint{color:rgba(0,0,0,.54)}
code{font-family:"SFMono-Regular",Menlo,Consolas,monospace;background:#f5f5f5;padding:1px 4px;border-radius:2px}
.actions{display:flex;gap:8px;margin-top:20px}
.button{display:inline-block;border:1px solid #bdbdbd;border-radius:2px;padding:6px 14px;color:rgba(0,0,0,.87);text-decoration:none;background:#fff;font:inherit;cursor:pointer}
.button.primary{background:#1976d2;border-color:#1976d2;color:#fff}
</style></head>
<body><header><span class="logo">J</span>JAX TPU Lab</header>
<main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>${
    page.hint ? `<p class="hint">${escapeHtml(page.hint)}</p>` : ''
  }<div class="actions">${actions}${form}</div></main></body></html>`;
}

/**
 * Sends a {@link renderLabPage} page with `status` and a CSP that allows
 * exactly its own style and script; `formTargets` are the origins its form
 * (and the redirects after it) may go to besides the server itself.
 */
export function sendLabPage(
  res: Response,
  status: number,
  page: ILabPage,
  formTargets: readonly string[] = []
): void {
  const nonce = newPageNonce();
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    // Not helmet's no-referrer: with it a form post carries `Origin: null`,
    // which the Origin check refuses.
    .set('Referrer-Policy', 'same-origin')
    .set('Content-Security-Policy', labPageCsp(nonce, formTargets))
    .type('html')
    .send(renderLabPage(page, nonce));
}

/** A fresh CSP nonce for one page. */
export function newPageNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of a {@link renderLabPage} page with `nonce`. */
export function labPageCsp(
  nonce: string,
  formTargets: readonly string[] = []
): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `form-action 'self' ${formTargets.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'"
  ].join('; ');
}

/** Whether a request is a browser navigation (wants HTML rather than JSON). */
export function wantsHtml(req: {
  accepts(types: string[]): string | false;
}): boolean {
  return req.accepts(['json', 'html']) === 'html';
}
