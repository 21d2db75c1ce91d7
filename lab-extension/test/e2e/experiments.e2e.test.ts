import { mkdirSync } from 'node:fs';
import type { Job, JobPage, Project, Sweep } from '@jaxlab/schemas/contract';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../scripts/start-lab.mjs';
import { SCREENSHOTS, screenshotFailures, setTheme, shot } from './lab-page.js';

type IRunningLab = Awaited<ReturnType<typeof startLab>>;

/** Six trials: lr 0.9 "diverges" (raises), the others log a falling loss. */
const MAIN_PY = `from jaxlab import log


def main(lr=0.1, width=8):
    if lr > 0.5:
        raise ValueError("loss diverged")
    loss = 1.0
    for step in range(40):
        loss = loss * (1 - lr) + 0.002 * width
        log(step=step, loss=loss)
    print(f"Final loss: {loss}")
`;

let lab: IRunningLab;
let browser: Browser;
let page: Page;

/** JupyterLab's simple (single-document) mode: the active tab fills the main area. */
async function toggleSimpleMode(): Promise<void> {
  await page.keyboard.press('Control+Shift+D');
  await page.waitForTimeout(600);
}

/** Calls the server API as the signed-in user (another client). */
async function api<T>(
  method: string,
  path: string,
  body?: unknown
): Promise<T> {
  const token = new URL(lab.loginUrl).searchParams.get('token');
  const res = await fetch(`${lab.serverUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {})
    },
    body: body ? JSON.stringify(body) : undefined
  });
  const json = (await res.json()) as T;
  expect(res.ok, JSON.stringify(json)).toBe(true);
  return json;
}

describe('Leaderboard, baselines and sweeps in JupyterLab (headless Chromium)', () => {
  screenshotFailures(() => page);
  let project: Project;
  let sweep: Sweep;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    browser = await chromium.launch({
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
    page = await (
      await browser.newContext({ viewport: { width: 1440, height: 900 } })
    ).newPage();
    await page.goto(lab.loginUrl);
    await page.goto(lab.labUrl);
    await page.locator('.jp-LauncherCard').first().waitFor({ timeout: 90_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  }, 60_000);

  it('should run a 6-trial grid sweep as tagged runs, the diverging trials failed and never best', async () => {
    project = await api<Project>('POST', '/api/projects', {
      name: 'Sweep demo',
      mainPy: MAIN_PY
    });
    sweep = await api<Sweep>('POST', '/api/sweeps', {
      projectId: project.id,
      name: 'lr × width',
      code: MAIN_PY,
      space: {
        kind: 'grid',
        runCap: 6,
        parameters: {
          lr: { values: [0.05, 0.2, 0.9] },
          width: { values: [4, 16] }
        }
      },
      target: { metric: 'loss', direction: 'min' },
      maxConcurrent: 2
    });
    expect(sweep.trials).toHaveLength(6);
    await expect
      .poll(
        async () =>
          (sweep = await api<Sweep>('GET', `/api/sweeps/${sweep.id}`)).status,
        { timeout: 400_000, interval: 2000 }
      )
      .toBe('COMPLETED');
    expect(sweep.trials.map(t => t.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'FAILED',
      'FAILED'
    ]);
    expect(sweep.trials[4].failure?.code).toBe('USER_ERROR');
    // Highest lr with the smaller width falls furthest.
    expect(sweep.best?.index).toBe(2);
  }, 420_000);

  it('should show regression badges in the runs list once a baseline is set', async () => {
    // The second-best trial is the baseline: the best passes, the worse regress.
    const byValue = sweep.trials
      .filter(t => t.value !== undefined)
      .sort((a, b) => a.value! - b.value!);
    await api('PUT', `/api/projects/${project.id}/baseline`, {
      jobId: byValue[1].jobId,
      metrics: [
        {
          name: 'loss',
          direction: 'min',
          tolerance: { kind: 'relative', value: 0.05 }
        }
      ]
    });
    await expect
      .poll(
        async () =>
          (
            await api<JobPage>('GET', `/api/jobs?projectId=${project.id}`)
          ).items.filter(j => j.regression).length,
        { timeout: 20_000 }
      )
      .toBe(6);
    const best = await api<Job>('GET', `/api/jobs/${byValue[0].jobId}`);
    expect(best.regression?.verdict).toBe('pass');
    const worst = await api<Job>('GET', `/api/jobs/${byValue[3].jobId}`);
    expect(worst.regression?.verdict).toBe('regressed');

    // Open the project from the picker: the runs list follows it.
    await page
      .locator('.jp-LauncherCard', { hasText: 'JAX TPU Lab' })
      .first()
      .click();
    await page
      .locator('.jp-jaxlab-Card', { hasText: 'Sweep demo' })
      .locator('button[data-action="open"]')
      .click();
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    // Once the project is open (opening it moves the focus to main.py).
    await page
      .locator('.jp-jaxlab-ProjectPanel:visible .jp-jaxlab-Files .cm-content')
      .first()
      .waitFor({ timeout: 30_000 });
    await page
      .locator('.jp-SideBar .lm-TabBar-tab[title="JAX TPU Lab runs"]')
      .click();
    await expect
      .poll(
        () => runsPanel.locator('.jp-jaxlab-JobsPanel-showing').textContent(),
        { timeout: 30_000 }
      )
      .toBe('Showing runs of “Sweep demo”');
    const badges = runsPanel.locator('.jp-jaxlab-RegressionBadge');
    await expect.poll(() => badges.count(), { timeout: 20_000 }).toBe(6);
    const verdicts = await badges.evaluateAll(nodes =>
      nodes.map(n => (n as HTMLElement).dataset.verdict)
    );
    expect(verdicts.filter(v => v === 'regressed').length).toBeGreaterThan(0);
    expect(verdicts.filter(v => v === 'pass').length).toBeGreaterThan(0);
    await shot(page, 'runs-regression-badges.png', runsPanel);
  }, 120_000);

  it('should rank the project’s runs on the leaderboard, filter them by argument, and offer the CSV', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    await runsPanel.locator('button[data-action="leaderboard"]').click();
    const board = page.locator('.jp-jaxlab-Leaderboard:visible');
    const rows = board.locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4);
    const completed = sweep.trials
      .filter(t => t.value !== undefined)
      .sort((a, b) => a.value! - b.value!);
    expect(
      await rows.evaluateAll(trs =>
        trs.map(tr => (tr as HTMLElement).dataset.jobId)
      )
    ).toEqual(completed.map(t => t.jobId));
    await board.locator('input[name="arg"]').fill('width=4');
    await board.locator('input[name="arg"]').dispatchEvent('change');
    await expect.poll(() => rows.count()).toBe(2);
    const href = await board.locator('a[data-role="csv"]').getAttribute('href');
    expect(href).toContain('format=csv');
    expect(href).toContain('arg=width%3D4');
    await board.locator('input[name="arg"]').fill('');
    await board.locator('input[name="arg"]').dispatchEvent('change');
    await expect.poll(() => rows.count()).toBe(4);
    await toggleSimpleMode();
    await shot(page, 'leaderboard-light.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'leaderboard-dark.png');
    await setTheme(page, 'JupyterLab Light');
    await toggleSimpleMode();
  }, 90_000);

  it('should show the sweep: trials table, best so far, parallel coordinates and the best trials’ curves', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    await runsPanel.locator('button[data-action="open-sweep"]').first().click();
    const view = page.locator('.jp-jaxlab-Sweep:visible');
    await expect
      .poll(() => view.locator('.jp-jaxlab-Sweep-best').textContent(), {
        timeout: 20_000
      })
      .toMatch(/^Best so far: trial #3, loss = /);
    expect(await view.locator('.jp-jaxlab-Sweep-trials tbody tr').count()).toBe(
      6
    );
    expect(
      await view
        .locator('.jp-jaxlab-Sweep-note.jp-jaxlab-mod-failed')
        .textContent()
    ).toContain('2 × USER_ERROR');
    // One line per trial that ran, the best one marked.
    expect(await view.locator('.jp-jaxlab-pc-line').count()).toBe(6);
    expect(
      await view.locator('.jp-jaxlab-pc-line.jp-jaxlab-mod-best').count()
    ).toBe(1);
    // Sorting by the target puts the best first and the failed (no value) last.
    await view.locator('th[data-sort="value"]').click();
    const firstRow = view.locator('.jp-jaxlab-Sweep-trials tbody tr').first();
    expect(await firstRow.locator('td').first().textContent()).toBe('3');
    expect(
      await view
        .locator('.jp-jaxlab-Sweep-trials tbody tr')
        .last()
        .getAttribute('data-state')
    ).toBe('FAILED');
    // The best three trials' loss curves, drawn by uPlot.
    await expect
      .poll(() => view.locator('.uplot').count(), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await toggleSimpleMode();
    await shot(page, 'sweep-light.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'sweep-dark.png');
    await setTheme(page, 'JupyterLab Light');
    await toggleSimpleMode();
  }, 90_000);
});
