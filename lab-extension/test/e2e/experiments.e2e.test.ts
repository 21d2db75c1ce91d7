import { mkdirSync } from 'node:fs';
import type { Job, JobPage, Project, Sweep } from '@jaxlab/schemas/contract';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../scripts/start-lab.mjs';
import {
  SCREENSHOTS,
  screenshotFailures,
  setTheme,
  shot,
  launchChromium
} from './lab-page.js';

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
    browser = await launchChromium();
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
  it('should start a sweep from the runs list’s Sweep… form, listing what the schema refuses on its fields, then open its view', async () => {
    // The run settings say width=4: the sweep keeps it.
    const settings = page.locator(
      '.jp-jaxlab-ProjectPanel:visible .jp-jaxlab-ArgumentForm'
    );
    await settings.locator('input[data-param="width"]').fill('4');
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    await runsPanel.locator('button[data-action="new-sweep"]').click();
    const form = page.locator('.jp-jaxlab-SweepForm:visible');
    const lr = form.locator('tr[data-param="lr"]');
    await lr.waitFor({ timeout: 20_000 });
    expect(
      await form
        .locator('tr[data-param="width"] .jp-jaxlab-SweepForm-values')
        .textContent()
    ).toBe('4 (run settings)');
    await form.locator('select[data-field="kind"]').selectOption('random');
    await lr.locator('select[data-field="how"]').selectOption('log-uniform');
    await lr.locator('input[data-field="min"]').fill('0');
    await lr.locator('input[data-field="max"]').fill('0.5');
    const fieldInput = (name: string) =>
      form.locator(`.jp-jaxlab-SweepForm-fields input[data-field="${name}"]`);
    await fieldInput('runCap').fill('4');
    await fieldInput('seed').fill('7');
    await fieldInput('metric').fill('1 loss');
    await fieldInput('maxConcurrent').fill('100');
    expect(
      await form.locator('.jp-jaxlab-SweepForm-summary').textContent()
    ).toBe('4 trial(s) of main(width=4) sweeping lr, at most 100 at once');
    const start = form.locator('button[data-action="start"]');
    const errors = form.locator('.jp-jaxlab-SweepForm-errors');
    const invalid = form.locator('.jp-jaxlab-mod-invalid');

    // 1. The schema refuses the metric's name and the concurrency: each
    //    message listed and marked on its field; nothing started.
    await start.click();
    await expect
      .poll(() => errors.locator('li').allTextContents(), { timeout: 20_000 })
      .toEqual([
        '/target/metric must match pattern "^[A-Za-z_][A-Za-z0-9_ .\\-/]{0,63}$"',
        '/maxConcurrent must be <= 64'
      ]);
    expect(
      await errors.locator('.jp-jaxlab-SweepForm-errorTitle').textContent()
    ).toBe('The server refused the sweep (INVALID_REQUEST):');
    expect(
      await invalid.evaluateAll(nodes =>
        nodes.map(n => n.querySelector('input')?.dataset.field)
      )
    ).toEqual(['metric', 'maxConcurrent']);
    expect(await fieldInput('maxConcurrent').inputValue()).toBe('100');
    await toggleSimpleMode();
    await shot(page, 'sweep-form-light.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'sweep-form-dark.png');
    await setTheme(page, 'JupyterLab Light');
    await toggleSimpleMode();

    // 2. Fixed; now the search space's own check: a log-uniform range
    //    must be positive (with the server's hint), on the lr row.
    await fieldInput('metric').fill('loss');
    await fieldInput('maxConcurrent').fill('2');
    await start.click();
    await expect
      .poll(() => errors.textContent(), { timeout: 20_000 })
      .toBe(
        'Parameter lr: a log-uniform range must be positive (INVALID_REQUEST)Use a min above 0, e.g. 1e-5.'
      );
    expect(await invalid.getAttribute('data-param')).toBe('lr');
    expect(
      (
        await api<{ items: Sweep[] }>(
          'GET',
          `/api/sweeps?projectId=${project.id}`
        )
      ).items
    ).toHaveLength(1);

    // 3. Started: the form gives way to the sweep's view.
    await lr.locator('input[data-field="min"]').fill('1e-3');
    await form.locator('input[data-field="name"]').fill('lr search');
    await start.click();
    let items: Sweep[] = [];
    await expect
      .poll(
        async () =>
          (items = (
            await api<{ items: Sweep[] }>(
              'GET',
              `/api/sweeps?projectId=${project.id}`
            )
          ).items).length,
        { timeout: 20_000 }
      )
      .toBe(2);
    const started = items.find(s => s.id !== sweep.id)!;
    const view = page.locator(
      `.jp-jaxlab-Sweep[id="jp-jaxlab-sweep-${started.id}"]:visible`
    );
    await expect
      .poll(() => view.locator('.jp-jaxlab-Sweep-trials tbody tr').count(), {
        timeout: 20_000
      })
      .toBe(4);
    expect(await view.locator('h2').textContent()).toBe('lr search');
    expect(await page.locator('.jp-jaxlab-SweepForm').count()).toBe(0);
    expect(started).toMatchObject({
      entrypoint: 'main',
      accelerator: 'cpu',
      space: {
        kind: 'random',
        seed: 7,
        runCap: 4,
        parameters: { lr: { distribution: 'log-uniform', min: 1e-3, max: 0.5 } }
      },
      target: { metric: 'loss', direction: 'min' },
      maxConcurrent: 2
    });
    for (const trial of started.trials) {
      expect(trial.args.width).toBe(4);
      expect(trial.args.lr).toBeGreaterThanOrEqual(1e-3);
      expect(trial.args.lr).toBeLessThanOrEqual(0.5);
    }
    // Cancelled from its view (with its trials in flight).
    await view.locator('button[data-action="cancel"]').click();
    await expect
      .poll(
        async () =>
          (await api<Sweep>('GET', `/api/sweeps/${started.id}`)).status,
        { timeout: 20_000 }
      )
      .toBe('CANCELLED');
  }, 120_000);
});
