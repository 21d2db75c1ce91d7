/**
 * A run's outputs in the lab (headless Chromium, real server, gateway,
 * sandboxed kernel and JupyterLab): the Outputs tab lists what the run kept
 * with sizes and downloads and shows its plots inline; the data viewer
 * sorts and filters its CSV on the server; the chat answers through the
 * real @google/genai SDK pointed at the local Gemini stand-in. Screenshots
 * light and dark go to docs/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startLab } from '../../../scripts/start-lab.mjs';
import {
  SCREENSHOTS,
  screenshotFailures,
  setTheme,
  shot,
  launchChromium
} from './lab-page.js';
import { GeminiStandIn } from '../../../server/test/stand-ins/gemini-stand-in.js';

type IRunningLab = Awaited<ReturnType<typeof startLab>>;

const PROGRAM = readFileSync(
  join(REPO_ROOT, 'lab-extension/test/e2e/programs/outputs_main.py'),
  'utf8'
);

let lab: IRunningLab;
let gemini: GeminiStandIn;
let browser: Browser;
let page: Page;
let jobId = '';

async function api(
  method: string,
  path: string,
  body?: unknown
): Promise<Response> {
  const token = new URL(lab.loginUrl).searchParams.get('token');
  return fetch(`${lab.serverUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json'
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
}

const panel = () => page.locator('.jp-jaxlab-ProjectPanel:visible');
const outputs = () => panel().locator('.jp-jaxlab-Outputs');
/** Brings the project's tab forward (a viewer or chat opened beside it). */
const showProject = (): Promise<void> =>
  page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      hasText: 'Line fit with outputs'
    })
    .first()
    .click();

describe("A run's outputs, data viewer and chat in JupyterLab (headless Chromium)", () => {
  screenshotFailures(() => page);
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    gemini = new GeminiStandIn();
    await gemini.start();
    lab = await startLab({
      env: {
        GEMINI_API_KEY: 'e2e-key',
        GEMINI_BASE_URL: gemini.url,
        GEMINI_MODEL: 'gemini-e2e'
      }
    });
    browser = await launchChromium();
    page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 } })
    ).newPage();
  }, 240_000);

  // What the page showed when a step failed, for whoever reads the failure.
  afterEach(async context => {
    if (context.task.result?.state === 'fail')
      await page
        ?.screenshot({ path: join(REPO_ROOT, '.jaxlab-e2e-failure.png') })
        .catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await gemini?.stop();
  }, 60_000);

  it('should run a program that writes outputs/ and list what it kept, with its plots inline', async () => {
    await page.goto(lab.loginUrl);
    await page.goto(lab.labUrl);
    await page.locator('.jp-LauncherCard').first().waitFor({ timeout: 90_000 });
    const created = await api('POST', '/api/projects', {
      name: 'Line fit with outputs',
      mainPy: PROGRAM
    });
    expect(created.status).toBe(201);
    await page
      .locator('.jp-LauncherCard', { hasText: 'JAX TPU Lab' })
      .first()
      .click();
    await page
      .locator('.jp-jaxlab-Card', { hasText: 'Line fit with outputs' })
      .locator('button[data-action="open"]')
      .click();
    await panel().locator('.cm-content').first().waitFor({ timeout: 30_000 });
    await panel().locator('.jp-jaxlab-RunButton').click();
    const badge = panel().locator(
      '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
    );
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 240_000 })
      .toBe('COMPLETED');
    jobId = (await (await api('GET', '/api/jobs')).json()).items[0].id;

    await panel()
      .locator('.jp-jaxlab-Bottom .lm-TabBar-tab', { hasText: 'Outputs' })
      .click();
    await expect
      .poll(
        () =>
          outputs()
            .locator('.jp-jaxlab-Outputs-list tr')
            .evaluateAll(rows =>
              rows.map(r => (r as HTMLElement).dataset.name)
            ),
        {
          timeout: 30_000
        }
      )
      .toEqual([
        'plots/accuracy.png',
        'plots/loss.svg',
        'predictions.csv',
        'weights.npy'
      ]);
    const sizes = await outputs()
      .locator('.jp-jaxlab-Outputs-size')
      .allTextContents();
    expect(sizes.every(s => /\d+(\.\d)? (B|KiB|MiB)$/.test(s))).toBe(true);
    // Both plots decoded as pictures (the SVG through <img>, never as markup).
    await expect
      .poll(
        () =>
          outputs()
            .locator('.jp-jaxlab-Outputs-images img')
            .evaluateAll(imgs =>
              imgs.map(i => (i as HTMLImageElement).naturalWidth)
            ),
        {
          timeout: 30_000
        }
      )
      .toEqual([360, 360]);
    expect(await outputs().locator('svg').count()).toBe(0);
    // A download button saves the file as the server has it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      outputs()
        .locator('tr[data-name="predictions.csv"] button', {
          hasText: 'Download'
        })
        .click()
    ]);
    expect(download.suggestedFilename()).toBe('predictions.csv');
    expect(readFileSync((await download.path())!, 'utf8').split('\n')[0]).toBe(
      'id,x,y_true,y_pred,abs_error,region'
    );
    await shot(page, 'outputs-list-light.png');
  }, 400_000);

  it('should open the CSV in the data viewer, sorted and filtered on the server', async () => {
    await outputs()
      .locator('tr[data-name="predictions.csv"] button', { hasText: 'Open' })
      .click();
    const viewer = page.locator('.jp-jaxlab-TableViewer');
    const status = viewer.locator('.jp-jaxlab-TableViewer-status');
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/CSV · 5,000 rows · 6 columns/);
    // Sort by abs_error, largest first; keep the "high" region with x > 2.
    await viewer.locator('select').nth(1).selectOption({ label: 'abs_error' });
    await viewer.locator('select').nth(2).selectOption('desc');
    await viewer.locator('select').nth(3).selectOption({ label: 'region' });
    await viewer.locator('select').nth(4).selectOption('=');
    await viewer.locator('.jp-jaxlab-TableViewer-value').fill('high');
    await viewer.locator('button', { hasText: 'Add filter' }).click();
    await viewer.locator('select').nth(3).selectOption({ label: 'x' });
    await viewer.locator('select').nth(4).selectOption('>');
    await viewer.locator('.jp-jaxlab-TableViewer-value').fill('2');
    await viewer.locator('button', { hasText: 'Add filter' }).click();
    await expect
      .poll(() => viewer.locator('.jp-jaxlab-Chip').count(), {
        timeout: 30_000
      })
      .toBe(2);
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/match/);
    // What the grid shows is the server's page for that view.
    const expected = await (
      await api(
        'GET',
        `/api/jobs/${jobId}/table?${new URLSearchParams({
          artifact: 'predictions.csv',
          sort: '4',
          order: 'desc',
          limit: '5',
          filter: JSON.stringify([
            { column: 5, op: '=', value: 'high' },
            { column: 1, op: '>', value: '2' }
          ])
        })}`
      )
    ).json();
    expect(expected.totalRows).toBeGreaterThan(0);
    expect(
      expected.rows.every(
        (r: unknown[]) => r[5] === 'high' && (r[1] as number) > 2
      )
    ).toBe(true);
    const errors = expected.rows.map((r: unknown[]) => r[4] as number);
    expect([...errors].sort((a, b) => b - a)).toEqual(errors);
    expect(await status.textContent()).toContain(
      `${expected.totalRows.toLocaleString('en-US')} match`
    );
    await shot(page, 'viewer-sorted-filtered-light.png');
  }, 120_000);

  it("should open the run's step series as a table, a row per step, sorted on the server", async () => {
    await showProject();
    await outputs()
      .locator('button', { hasText: 'Step series as a table' })
      .click();
    // Beside the CSV's viewer (both count as visible to Playwright).
    const viewer = page.locator('.jp-jaxlab-TableViewer[id$=":series"]');
    const status = viewer.locator('.jp-jaxlab-TableViewer-status');
    // The program logged loss and accuracy at steps 0, 10, … 200.
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/Step series · 21 rows · 4 columns/);
    await viewer.locator('select').nth(1).selectOption({ label: 'loss' });
    await viewer.locator('select').nth(2).selectOption('desc');
    const expected = await (
      await api(
        'GET',
        `/api/jobs/${jobId}/table?series=1&sort=2&order=desc&limit=5`
      )
    ).json();
    expect(expected.columns.map((c: { name: string }) => c.name)).toEqual([
      'step',
      'wall time',
      'loss',
      'accuracy'
    ]);
    // Loss falls as the fit goes on: largest first is step 0 first.
    expect(expected.rows.map((r: unknown[]) => r[0])).toEqual([
      0, 10, 20, 30, 40
    ]);
    await page.waitForTimeout(500);
    await shot(page, 'viewer-series-light.png');
    await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'step series'
      })
      .locator('.lm-TabBar-tabCloseIcon')
      .click();
  }, 120_000);

  it('should chat about the run against the Gemini stand-in, showing the context it sent', async () => {
    gemini.behaviour = {
      kind: 'answer',
      chunks: [
        'The loss fell from 20.49 at step 0 to 0.68 at step 200 [run ' +
          jobId.slice(-8) +
          '] [step 200]; ',
        'the largest absolute errors sit in the "high" region [file predictions.csv], ',
        'whose abs_error has mean and max given in the context.'
      ]
    };
    await page.locator('.jp-jaxlab-TableViewer').waitFor();
    await showProject();
    await outputs()
      .locator('button', { hasText: 'Ask about this run' })
      .click();
    const chat = page.locator('.jp-jaxlab-Chat');
    await chat.locator('.jp-jaxlab-Chip').first().waitFor({ timeout: 30_000 });
    await chat
      .locator('.jp-jaxlab-Chat-input')
      .fill('How did the loss evolve, and where are the largest errors?');
    await chat.locator('button', { hasText: 'Ask' }).click();
    await expect
      .poll(
        () =>
          chat
            .locator('.jp-jaxlab-Chat-message.jp-mod-model')
            .last()
            .textContent(),
        { timeout: 30_000 }
      )
      .toContain('whose abs_error has mean and max');
    const kinds = await chat
      .locator('.jp-jaxlab-Chat-chips .jp-jaxlab-Chip')
      .evaluateAll(c => c.map(e => (e as HTMLElement).dataset.kind));
    expect(kinds).toEqual([
      'manifest',
      'metrics',
      'series',
      'log',
      'artifacts'
    ]);
    expect(await chat.locator('.jp-jaxlab-Chat-cite').count()).toBe(3);
    // The model got the server's numbers: the series summary and the CSV's statistics.
    const sent = JSON.stringify(gemini.requests.at(-1)!.body.contents);
    expect(sent).toMatch(/loss: 5 points; first 20\.4854 at step 0/);
    expect(sent).toMatch(/abs_error \(number\): count 5000, missing 0, mean /);
    await chat.locator('.jp-jaxlab-Chip[data-kind="artifacts"]').click();
    expect(
      await chat.locator('.jp-jaxlab-Chat-chipText').textContent()
    ).toContain('predictions.csv');
    await shot(page, 'chat-light.png');
  }, 120_000);

  it('should read as well in the dark theme', async () => {
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'chat-dark.png');
    await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'predictions.csv'
      })
      .first()
      .click();
    await page.waitForTimeout(500);
    // The grid paints on a canvas: both row stripes follow the theme (dark
    // cells, light text), read where the first column has no text.
    const luminance = await page
      .locator('.jp-jaxlab-TableViewer .lm-DataGrid canvas')
      .first()
      .evaluate(canvas => {
        const c = canvas as HTMLCanvasElement;
        const ratio = c.width / c.getBoundingClientRect().width;
        const at = (x: number, y: number) => {
          const [r, g, b] = c
            .getContext('2d')!
            .getImageData(
              Math.round(x * ratio),
              Math.round(y * ratio),
              1,
              1
            ).data;
          return Math.round(0.2126 * r + 0.7152 * g + 0.0722 * b);
        };
        // Header rows of 24 and 68 px (the wrapped summary), then body
        // rows of 24 px; the row header is 72 px.
        return [at(72 + 125, 92 + 12), at(72 + 125, 92 + 24 + 12)];
      });
    expect(luminance.every(l => l < 80)).toBe(true);
    await shot(page, 'viewer-sorted-filtered-dark.png');
    for (const title of ['predictions.csv', 'Chat: run'])
      await page
        .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: title })
        .locator('.lm-TabBar-tabCloseIcon')
        .click();
    await showProject();
    // The panel was narrow beside the viewer and chat: wide again, the
    // editor has its room back (Lumino would keep the narrow sizes).
    const width = (selector: string) =>
      panel()
        .locator(selector)
        .first()
        .evaluate(e => e.getBoundingClientRect().width);
    expect(await width('.jp-jaxlab-Files')).toBeGreaterThan(
      2 * (await width('.jp-jaxlab-FileList'))
    );
    await shot(page, 'outputs-list-dark.png');
    await setTheme(page, 'JupyterLab Light');
  }, 120_000);
});
