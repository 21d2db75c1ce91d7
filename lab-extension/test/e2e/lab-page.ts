/** Steps the end-to-end tests take on a JupyterLab page. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type Locator,
  type Page
} from 'playwright-core';
import { afterEach } from 'vitest';
import { REPO_ROOT } from '../../../scripts/start-lab.mjs';

/** Where the screenshots the README and the issues name are kept. */
export const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

/**
 * Saves what the page (or only `target`) shows as `docs/screenshots/<name>`,
 * once it settled.
 */
export async function shot(
  page: Page,
  name: string,
  target?: Locator
): Promise<void> {
  await page.waitForTimeout(400);
  await (target ?? page).screenshot({ path: join(SCREENSHOTS, name) });
}

/** Debian's Chromium, headless, as every e2e test drives it (no browser download). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  });
}

/** Where a failed test's last view of the page is kept (ignored by git). */
export const FAILURE_SHOTS = join(REPO_ROOT, '.jaxlab', 'e2e-failures');

/**
 * After each failed test, saves what the page showed as
 * `.jaxlab/e2e-failures/<test>.png`: a timeout alone does not say why.
 */
export function screenshotFailures(page: () => Page | undefined): void {
  afterEach(async ({ task }) => {
    const current = page();
    if (task.result?.state !== 'fail' || !current) return;
    mkdirSync(FAILURE_SHOTS, { recursive: true });
    const name = task.name.replace(/[^\w-]+/g, '-').slice(0, 80);
    await current
      .screenshot({ path: join(FAILURE_SHOTS, `${name}.png`) })
      .catch(() => undefined);
  });
}

/** Switches the theme through the command palette, as a user would. */
export async function setTheme(
  page: Page,
  theme: 'JupyterLab Light' | 'JupyterLab Dark'
): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  await page.locator('.lm-CommandPalette-input').fill(`Use Theme: ${theme}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    dark => document.body.dataset.jpThemeLight === String(!dark),
    theme === 'JupyterLab Dark',
    { timeout: 20_000 }
  );
  await page.keyboard.press('Escape');
  // Charts redraw with the new theme's colours after its CSS arrives.
  await page.waitForTimeout(1200);
}
