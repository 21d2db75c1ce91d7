// The lab as one person uses it, in headless Chromium: one lab and one
// browser serve every test here (starting them takes ~20 s) and later tests
// use the runs and projects earlier ones made, hence one file over ~400 lines.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { JobPage, Project } from '@jaxlab/schemas/contract';
import { type Browser, type Locator, type Page } from 'playwright-core';
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

const SPIRALS = 'MLP on two spirals (2)';

let lab: IRunningLab;
let browser: Browser;
let page: Page;

/** GET `path` of the server API as the signed-in user (another client). */
async function api<T>(path: string): Promise<T> {
  const token = new URL(lab.loginUrl).searchParams.get('token');
  const res = await fetch(`${lab.serverUrl}${path}`, {
    headers: { Authorization: `Bearer ${token}` }
  });
  return (await res.json()) as T;
}

const project = (): Locator => page.locator('.jp-jaxlab-ProjectPanel:visible');
const results = (): Locator => project().locator('.jp-jaxlab-Results');
const badge = (): Locator =>
  results().locator('.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge');
const runButton = (): Locator => project().locator('.jp-jaxlab-RunButton');

async function spiralsRuns(): Promise<JobPage['items']> {
  const projects = await api<Project[]>('/api/projects');
  const id = projects.find(p => p.name === SPIRALS)!.id;
  return (await api<JobPage>(`/api/jobs?projectId=${id}`)).items;
}

/** Sets the run settings' parameters (empty: the default) and checks the call. */
async function setArguments(
  values: Record<string, string>,
  call: string
): Promise<void> {
  const form = project().locator('.jp-jaxlab-ArgumentForm');
  for (const [name, value] of Object.entries(values)) {
    await form.locator(`input[data-param="${name}"]`).fill(value);
  }
  await expect
    .poll(() => form.locator('.jp-jaxlab-ArgumentForm-call').textContent())
    .toBe(call);
}

/** The project picker, through the command palette (it is not restored on reload). */
async function openPicker(): Promise<void> {
  await page.keyboard.press('Control+Shift+C');
  await page.locator('.lm-CommandPalette-input').fill('JAX TPU Lab');
  await page
    .locator('.lm-CommandPalette-item', { hasText: /^JAX TPU Lab/ })
    .first()
    .click();
  await page
    .locator('.jp-jaxlab-ProjectPicker:visible .jp-jaxlab-Card')
    .first()
    .waitFor({ timeout: 30_000 });
}

async function waitForStatus(
  status: RegExp | string,
  timeout = 240_000
): Promise<void> {
  await expect
    .poll(() => badge().getAttribute('data-status'), { timeout })
    .toMatch(status);
}

describe('JAX TPU Lab in JupyterLab (headless Chromium)', () => {
  screenshotFailures(() => page);
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 }
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  }, 60_000);

  it('should sign in with the local login URL and greet the user in the top bar', async () => {
    await page.goto(lab.loginUrl);
    await page.goto(lab.labUrl);
    await page.locator('.jp-LauncherCard').first().waitFor({ timeout: 90_000 });
    await expect
      .poll(
        async () => page.locator('.jp-jaxlab-SignIn-welcome').textContent(),
        { timeout: 30_000 }
      )
      .toMatch(/^Welcome, /);
    expect(await page.locator('.jp-jaxlab-SignIn-button').isHidden()).toBe(
      true
    );
  }, 150_000);

  it('should show project cards in whole sentences with code as code, and give a sample’s new project a name of its own', async () => {
    await page
      .locator('.jp-LauncherCard', { hasText: 'JAX TPU Lab' })
      .first()
      .click();
    const cards = page
      .locator('.jp-jaxlab-CardList')
      .first()
      .locator('.jp-jaxlab-Card');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(3);
    const linear = cards.filter({ hasText: 'Linear regression' }).locator('p');
    // README: "Fit `y = w·x + b` to noisy data ... mean squared error." over two lines.
    await expect
      .poll(() => linear.textContent())
      .toMatch(/^Fit y = w·x \+ b to noisy data .* squared error\.$/);
    expect(await linear.locator('code').textContent()).toBe('y = w·x + b');
    for (const text of await page
      .locator('.jp-jaxlab-Card p')
      .allTextContents()) {
      expect(text).not.toContain('`');
      expect(text).toMatch(/[.!?]$/);
    }
    await shot(page, 'project-picker.png');
    await page
      .locator('.jp-jaxlab-Card', { hasText: /spirals/ })
      .locator('button[data-action="create"]')
      .click();
    await project().locator('.cm-content').first().waitFor({ timeout: 30_000 });
    const tabs = await project()
      .locator('.jp-jaxlab-Files .lm-TabBar-tab')
      .allTextContents();
    expect(tabs).toEqual(['main.py', 'README.md', 'requirements.txt']);
    await expect
      .poll(() =>
        page
          .locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')
          .first()
          .textContent()
      )
      .toBe(SPIRALS);
    // The picker says what the live host offers and how many jobs wait.
    const picker = project().locator('.jp-jaxlab-AcceleratorPicker');
    await expect
      .poll(
        () => picker.locator('option[data-live="true"]').allTextContents(),
        { timeout: 30_000 }
      )
      .toEqual([
        expect.stringMatching(
          /^CPU · 1 host · \d+ devices? · \d+ free slots? · 0 queued$/
        )
      ]);
    // The button names the accelerator the picker chose.
    await expect.poll(() => runButton().textContent()).toBe('Run on CPU');
    // A kind no live host offers can be picked, with what will happen.
    const note = picker.locator('.jp-jaxlab-AcceleratorPicker-note');
    expect(await note.isVisible()).toBe(false);
    await picker.locator('select').selectOption('tpu');
    expect(await picker.locator('option[value="tpu"]').textContent()).toMatch(
      /^TPU · no live host · \d+ queued$/
    );
    // Picker and note are in the run settings, in view.
    expect(await picker.locator('select').isVisible()).toBe(true);
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(
      /^No live host offers a TPU: .*DEVICE_UNAVAILABLE/
    );
    expect(await runButton().textContent()).toBe('Run on TPU');
    await note.scrollIntoViewIfNeeded();
    await shot(
      page,
      'accelerator-picker-hosts.png',
      project().locator('.jp-jaxlab-RunSettings')
    );
    await picker.locator('select').selectOption('cpu');
    expect(await note.isVisible()).toBe(false);
    expect(await runButton().textContent()).toBe('Run on CPU');
  }, 90_000);

  it('should undo a paste in main.py with Ctrl+Z, as JupyterLab’s file editor does', async () => {
    const editor = project().locator('.jp-jaxlab-Files .cm-content').first();
    const shown = (): Promise<string> =>
      editor.evaluate(el => (el as HTMLElement).innerText);
    const saved = async (): Promise<string> =>
      (await api<Project[]>('/api/projects')).find(p => p.name === SPIRALS)!
        .mainPy;
    const before = await saved();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.evaluate(() =>
      navigator.clipboard.writeText('\nPASTED_BY_TEST = 1\n')
    );
    await page.keyboard.press('Control+V');
    await expect.poll(shown).toContain('PASTED_BY_TEST');
    await page.keyboard.press('Control+Z');
    await expect.poll(shown).not.toContain('PASTED_BY_TEST');
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(shown).toContain('PASTED_BY_TEST');
    await page.keyboard.press('Control+Z');
    await expect.poll(shown).not.toContain('PASTED_BY_TEST');
    // One Ctrl+Z too many does not undo the loading of main.py (which the
    // autosave would then keep as an empty file).
    await page.keyboard.press('Control+Z');
    await page.waitForTimeout(2000);
    await expect
      .poll(() => project().locator('.jp-jaxlab-SaveState').textContent())
      .toBe('Saved to server');
    // What the server keeps is main.py as it was before the paste.
    expect(await saved()).toBe(before);
  }, 30_000);

  it('should review main.py, list lint findings and jump to a finding’s line', async () => {
    const panel = project();
    const editor = panel.locator('.jp-jaxlab-Files .cm-content').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(
      '\n\ndef to_wide(x):\n    return jnp.asarray(x, dtype=jnp.float64)\n'
    );
    await expect
      .poll(() => panel.locator('.jp-jaxlab-SaveState').textContent(), {
        timeout: 15_000
      })
      .toBe('Saved to server');
    const projects = await api<Project[]>('/api/projects');
    const mainPy = projects.find(p => p.name === SPIRALS)!.mainPy;
    expect(mainPy).toContain('def to_wide(x):');
    expect(mainPy).toContain('def make_spirals(key):');
    await panel.locator('.jp-jaxlab-ReviewButton').click();
    const finding = panel.locator('.jp-jaxlab-Finding', { hasText: 'JAX009' });
    await finding.waitFor({ timeout: 60_000 });
    await panel.locator('.jp-jaxlab-Review-markdown').waitFor();
    await shot(page, 'review.png');
    await page.keyboard.press('Control+Home');
    await finding.click();
    await expect
      .poll(() =>
        page.evaluate(() => {
          const node = document.getSelection()?.anchorNode;
          const element = node instanceof Element ? node : node?.parentElement;
          return element?.closest('.cm-line')?.textContent ?? '';
        })
      )
      .toContain('float64');
    await page.keyboard.press('Control+Home');
    await page
      .locator('.jp-SideBar .lm-TabBar-tab[title="JAX TPU Lab runs"]')
      .click();
  }, 90_000);

  it('should run the call the argument form makes, chart its step metrics live, and keep Run off until it ends', async () => {
    await setArguments(
      { steps: '20000', learning_rate: '0.3' },
      'main(steps=20000, learning_rate=0.3)'
    );
    await shot(
      page,
      'argument-form.png',
      project().locator('.jp-jaxlab-ArgumentForm')
    );
    await runButton().click();
    await waitForStatus(/QUEUED|COMPILING|RUNNING/, 60_000);
    // One run at a time: Run is off, and a second click queues nothing.
    await expect.poll(() => runButton().isDisabled()).toBe(true);
    await runButton().click({ force: true });
    expect(
      await results().locator('.jp-jaxlab-Results-call').textContent()
    ).toBe('main(steps=20000, learning_rate=0.3)');
    // The chart grows while the run streams.
    const chart = results().locator('.jp-jaxlab-Chart[data-metric="loss"]');
    const lastStep = async (): Promise<number> =>
      Number((await chart.getAttribute('data-last-x')) ?? -1);
    await expect
      .poll(lastStep, { timeout: 180_000, interval: 200 })
      .toBeGreaterThan(0);
    const first = await lastStep();
    if ((await badge().getAttribute('data-status')) === 'RUNNING') {
      const image = await page.screenshot();
      if ((await badge().getAttribute('data-status')) === 'RUNNING') {
        writeFileSync(join(SCREENSHOTS, 'workspace-running-light.png'), image);
      }
    }
    await waitForStatus('COMPLETED');
    await expect.poll(lastStep, { timeout: 15_000 }).toBe(19_999);
    expect(first).toBeLessThan(19_999);
    expect((await spiralsRuns()).length).toBe(1);
    await expect.poll(() => runButton().isDisabled()).toBe(false);
    // Progress, the call's metrics and phases that add up.
    await expect
      .poll(() => results().locator('.jp-jaxlab-Progress').textContent())
      .toContain('20,000 / 20,000 steps');
    await results()
      .locator('.jp-jaxlab-Metrics tr[data-key="values.accuracy"]')
      .waitFor({ timeout: 10_000 });
    const phases = await results()
      .locator('.jp-jaxlab-PhaseBar-item')
      .allTextContents();
    expect(phases.map(p => p.replace(/ [\d.]+ (ms|s)$/, ''))).toEqual([
      'Queued',
      'Environment',
      'Kernel start',
      'Compiling',
      'Running',
      'Harness'
    ]);
    expect(
      await results().locator('.jp-jaxlab-PhaseBar-total').textContent()
    ).toMatch(/in all$/);
    expect(
      await results()
        .locator('.jp-jaxlab-Chart[data-metric="accuracy"]')
        .getAttribute('data-points')
    ).toBe('200');
    // Where it ran (the gateway's probe of its slot), and what it cost.
    await expect(
      results()
        .locator('.jp-jaxlab-Results-header .jp-jaxlab-DeviceBadge')
        .textContent()
    ).resolves.toBe('cpu · 1 × cpu');
    await results()
      .locator('.jp-jaxlab-Metrics tr[data-key="memory.peakHostBytes"]')
      .waitFor();
    await results()
      .locator('.jp-jaxlab-Metrics tr[data-key="compileCache.savedMs"]')
      .waitFor();
    await shot(page, 'workspace-completed-light.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'workspace-completed-dark.png');
    await setTheme(page, 'JupyterLab Light');
  }, 300_000);

  it('should show a queued run’s place in the queue, and a cancelled run as Cancelled without a traceback', async () => {
    await setTheme(page, 'JupyterLab Dark');
    await setArguments(
      { steps: '60000', learning_rate: '0.1' },
      'main(steps=60000, learning_rate=0.1)'
    );
    await runButton().click();
    await waitForStatus('RUNNING', 120_000);
    // A second project's run waits for the one CPU slot.
    await openPicker();
    await page
      .locator('.jp-jaxlab-Card', { hasText: 'Linear regression' })
      .locator('button[data-action="open"]')
      .click();
    await project().locator('.cm-content').first().waitFor({ timeout: 30_000 });
    await runButton().click();
    await waitForStatus('QUEUED', 30_000);
    await expect
      .poll(() => results().locator('.jp-jaxlab-Results-queue').textContent(), {
        timeout: 15_000
      })
      .toBe('next in queue');
    const log = results().locator('.jp-jaxlab-LogView');
    expect(await log.textContent()).toMatch(
      /Waiting in the queue for a free CPU/
    );
    expect(await log.textContent()).not.toMatch(/Press/);
    await shot(page, 'queued.png');
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: SPIRALS })
      .click();
    // Cancel once its curve has points, so the comparison below has three.
    await expect
      .poll(
        async () =>
          Number(
            (await results()
              .locator('.jp-jaxlab-Chart[data-metric="loss"]')
              .getAttribute('data-last-x')) ?? -1
          ),
        { timeout: 120_000, interval: 200 }
      )
      .toBeGreaterThan(0);
    await shot(page, 'workspace-running-dark.png');
    await results().locator('.jp-jaxlab-Results-cancel').click();
    await waitForStatus('CANCELLED', 30_000);
    const failure = results().locator('.jp-jaxlab-Failure');
    await expect.poll(() => failure.textContent()).toMatch(/^Cancelled\./);
    await expect
      .poll(() => log.textContent(), { timeout: 10_000 })
      .toContain('[jaxlab] Cancelled on request.');
    expect(await log.textContent()).not.toContain('KeyboardInterrupt');
    expect(await failure.textContent()).not.toContain('Submit it again');
    await shot(page, 'cancelled-dark.png', results());
    await setTheme(page, 'JupyterLab Light');
  }, 300_000);

  it('should run an edited main.py with other arguments', async () => {
    const editor = project().locator('.jp-jaxlab-Files .cm-content').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\nRUN_LABEL = "second try"\n');
    await page.keyboard.press('Control+Home');
    await setArguments(
      { steps: '3000', learning_rate: '0.05' },
      'main(steps=3000, learning_rate=0.05)'
    );
    await runButton().click();
    await waitForStatus('COMPLETED');
  }, 300_000);

  it('should refuse a requirements.txt line naming it, while main.py still saves', async () => {
    const panel = project();
    const tab = (name: string) =>
      panel.locator('.jp-jaxlab-Files .lm-TabBar-tab', { hasText: name });
    const editor = panel.locator('.jp-jaxlab-Files .cm-content:visible');
    await tab('main.py').click();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\nSAVED_DESPITE_REQUIREMENTS = True\n');
    await tab('requirements.txt').click();
    await editor.click();
    await page.keyboard.insertText('optax @ https://evil.example/optax.whl');
    const saveState = panel.locator('.jp-jaxlab-SaveState');
    await expect
      .poll(() => saveState.textContent(), { timeout: 15_000 })
      .toMatch(/^Save failed: requirements\.txt line 1: direct references/);
    const saved = (await api<Project[]>('/api/projects')).filter(p =>
      p.mainPy.includes('SAVED_DESPITE_REQUIREMENTS')
    );
    expect(saved.map(p => p.requirements)).toEqual(['']);
    await runButton().click();
    const dialog = page.locator('.jp-Dialog');
    await expect
      .poll(() => dialog.textContent(), { timeout: 15_000 })
      .toMatch(/The run could not start.*requirements\.txt line 1/s);
    await shot(page, 'requirements-rejected.png');
    await dialog.locator('.jp-Dialog-button').first().click();
    await tab('requirements.txt').click();
    await editor.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    await expect
      .poll(() => saveState.textContent(), { timeout: 15_000 })
      .toBe('Saved to server');
    await tab('main.py').click();
  }, 60_000);

  it('should say whose runs it lists, name and tag a run, and filter by tag, argument and metric across projects', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    await expect
      .poll(() =>
        runsPanel.locator('.jp-jaxlab-JobsPanel-showing').textContent()
      )
      .toBe(`Showing runs of “${SPIRALS}”`);
    const items = runsPanel.locator('.jp-jaxlab-JobItem');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(3);
    // Name and tag the last run from its header.
    const header = results().locator('.jp-jaxlab-Results-header');
    await header.locator('.jp-jaxlab-Results-name').fill('lr 0.05 short');
    await header.locator('.jp-jaxlab-Results-name').press('Enter');
    await header.locator('.jp-jaxlab-Results-tags').fill('baseline, lr=0.05');
    await header.locator('.jp-jaxlab-Results-tags').press('Enter');
    await expect
      .poll(async () => (await spiralsRuns())[0].tags)
      .toEqual(['baseline', 'lr=0.05']);
    await runsPanel.locator('button[data-action="refresh"]').click();
    await expect
      .poll(() =>
        items.first().locator('.jp-jaxlab-JobItem-title').textContent()
      )
      .toBe('lr 0.05 short');
    const filter = (name: string) =>
      runsPanel.locator(`[data-filter="${name}"]`);
    await filter('tag').fill('baseline');
    await filter('tag').press('Enter');
    await expect.poll(() => items.count()).toBe(1);
    await filter('tag').fill('');
    await filter('tag').press('Enter');
    await filter('args').fill('learning_rate=0.3');
    await filter('args').press('Enter');
    await expect.poll(() => items.count()).toBe(1);
    await expect
      .poll(() =>
        items.first().locator('.jp-jaxlab-JobItem-title').textContent()
      )
      .toBe('main(steps=20000, learning_rate=0.3)');
    await filter('args').fill('');
    await filter('args').press('Enter');
    // The metric filter against a reference computed here from the API.
    const expected = (await spiralsRuns())
      .filter(j => (j.series?.loss?.last ?? Infinity) < 0.05)
      .map(j => j.id);
    await filter('metric').fill('loss<0.05');
    await filter('metric').press('Enter');
    await expect
      .poll(async () =>
        (
          await items.evaluateAll(els =>
            els.map(el => (el as HTMLElement).dataset.jobId)
          )
        ).sort()
      )
      .toEqual(expected.sort());
    await filter('metric').fill('');
    await filter('metric').press('Enter');
    await runsPanel.locator('select[data-role="scope"]').selectOption('all');
    await expect
      .poll(() =>
        runsPanel.locator('.jp-jaxlab-JobsPanel-showing').textContent()
      )
      .toBe('Showing runs of all your projects');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(4);
    await shot(page, 'runs-list.png');
    await runsPanel
      .locator('select[data-role="scope"]')
      .selectOption('project');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(3);
  }, 120_000);

  it('should compare three runs: overlaid curves, only the differences, final/min/max, code diffs, and a link that opens it again', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    const items = runsPanel.locator('.jp-jaxlab-JobItem');
    for (let i = 0; i < 3; i++)
      await items.nth(i).locator('input[type=checkbox]').check();
    await runsPanel.locator('.jp-jaxlab-CompareButton').click();
    const compare = page.locator('.jp-jaxlab-Compare:visible');
    await compare
      .locator('.jp-jaxlab-CompareParams')
      .waitFor({ timeout: 30_000 });
    const loss = compare.locator('.jp-jaxlab-Chart[data-metric="loss"]');
    await expect
      .poll(() => loss.getAttribute('data-lines'), { timeout: 20_000 })
      .toBe('3');
    expect(await loss.locator('.jp-jaxlab-Chart-legend span').count()).toBe(3);
    const rows = compare.locator('.jp-jaxlab-CompareParams tbody tr');
    const keys = async (): Promise<string[]> =>
      rows.evaluateAll(els => els.map(el => (el as HTMLElement).dataset.key!));
    expect(await keys()).toEqual(
      expect.arrayContaining([
        'call',
        'args.steps',
        'args.learning_rate',
        'code'
      ])
    );
    expect(await keys()).not.toContain('accelerator');
    expect(
      await compare
        .locator('.jp-jaxlab-CompareMetrics tr[data-key="series:loss"] td')
        .count()
    ).toBe(4);
    // main.py changed between the runs: a diff with lines added or removed.
    expect(
      await compare
        .locator('.jp-jaxlab-Compare-diff summary')
        .last()
        .textContent()
    ).toMatch(/[+−][1-9]/);
    await shot(page, 'jobs-compare.png');
    await compare.locator('.jp-jaxlab-CompareParams').scrollIntoViewIfNeeded();
    await shot(page, 'jobs-compare-tables.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'jobs-compare-dark.png');
    await setTheme(page, 'JupyterLab Light');
    await compare.locator('input[data-role="only-differences"]').uncheck();
    expect(await keys()).toContain('accelerator');
    const link = await compare.locator('.jp-jaxlab-Compare-link').inputValue();
    expect(link).toMatch(/\/lab\?jaxlab-compare=[^,]+,[^,]+,[^,]+$/);
    // The link opens the same comparison in a freshly loaded lab, whose
    // project panel shows the project's last run again.
    await page.goto(link);
    const reopened = page.locator('.jp-jaxlab-Compare:visible');
    await reopened
      .locator('.jp-jaxlab-CompareParams')
      .waitFor({ timeout: 90_000 });
    expect(await reopened.locator('.jp-jaxlab-CompareLegend tr').count()).toBe(
      3
    );
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: SPIRALS })
      .click();
    await waitForStatus('COMPLETED', 30_000);
    expect(
      await results().locator('.jp-jaxlab-Results-name').inputValue()
    ).toBe('lr 0.05 short');
  }, 240_000);

  it('should open runs as tabs beside each other without splitting the main area again', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    if (!(await runsPanel.isVisible())) {
      await page
        .locator('.jp-SideBar .lm-TabBar-tab[title="JAX TPU Lab runs"]')
        .click();
    }
    const tabBars = page.locator('#jp-main-dock-panel .lm-TabBar');
    const before = await tabBars.count();
    for (let i = 0; i < 3; i++) {
      await runsPanel
        .locator('.jp-jaxlab-JobItem')
        .nth(i)
        .locator('button[data-action="open"]')
        .click();
      await expect
        .poll(() => page.locator('[id^="jp-jaxlab-job-"]').count())
        .toBe(i + 1);
    }
    expect(await tabBars.count()).toBeLessThanOrEqual(Math.max(before, 2));
  }, 60_000);

  it('should export a run as a notebook whose call cell is the call as made', async () => {
    const runsPanel = page.locator('.jp-jaxlab-JobsPanel');
    const first = runsPanel.locator('.jp-jaxlab-JobItem', {
      hasText: 'main(steps=20000, learning_rate=0.3)'
    });
    await first.locator('button[data-action="export"]').click();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await notebook.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => notebook.locator('.jp-Cell').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await expect
      .poll(
        () =>
          notebook
            .locator('.jp-Cell')
            .nth(2)
            .locator('.cm-content')
            .textContent(),
        { timeout: 20_000 }
      )
      .toBe('main(steps=20000, learning_rate=0.3)');
    await expect
      .poll(() => notebook.textContent(), { timeout: 20_000 })
      .toMatch(/Final accuracy/);
    await expect
      .poll(() => notebook.locator('.jp-Toolbar-kernelName').textContent(), {
        timeout: 60_000
      })
      .toContain('JAX (restricted)');
    await expect
      .poll(() => page.locator('#jp-main-statusbar').textContent(), {
        timeout: 60_000
      })
      .toContain('JAX (restricted) | Idle');
    await shot(page, 'notebook-export.png');
    // "Restart Kernel and Run All Cells" on the export reproduces the run:
    // the %%writefile cell puts main.py into the kernel's folder, the call
    // prints the same Final line again.
    const callCell = notebook.locator('.jp-CodeCell').last();
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Edit' }).click();
    await page
      .locator('.lm-Menu-itemLabel', { hasText: 'Clear Outputs of All Cells' })
      .click();
    await expect
      .poll(() => callCell.locator('.jp-OutputArea').textContent())
      .not.toMatch(/Final accuracy/);
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Kernel' }).click();
    await page
      .locator('.lm-Menu-itemLabel', {
        hasText: 'Restart Kernel and Run All Cells'
      })
      .click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(() => notebook.locator('.jp-CodeCell').first().textContent(), {
        timeout: 60_000
      })
      .toContain('Writing main.py');
    await expect
      .poll(() => callCell.locator('.jp-OutputArea').textContent(), {
        timeout: 120_000
      })
      .toMatch(/Final accuracy/);
    await shot(page, 'notebook-rerun.png');
  }, 300_000);

  it('should run with Profile and offer its trace, which parses, beside the device badge and compile cache', async () => {
    // Back from the exported notebook to the spirals project, whose earlier
    // runs filled the compile cache.
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: /spiral/i })
      .first()
      .click();
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    await panel.locator('.jp-jaxlab-ProfileToggle input').check();
    await panel.locator('.jp-jaxlab-RunButton').click();
    const badge = results().locator(
      '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
    );
    // The panel shows the new run (not the last one, also COMPLETED) ...
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/QUEUED|COMPILING|RUNNING/);
    // ... until it ends.
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 180_000 })
      .toBe('COMPLETED');
    // The run's log says whether the trace was written into outputs/, and
    // the gateway that it kept it with the run's other outputs.
    await expect
      .poll(() => results().locator('.jp-jaxlab-LogView').textContent(), {
        timeout: 20_000
      })
      .toMatch(/jaxlab: kept \d+ files? of outputs\//);
    await expect(
      results().locator('.jp-jaxlab-LogView').textContent()
    ).resolves.toMatch(
      /jaxlab: profile trace \([\d.]+ MiB\) written to outputs\/profile\.trace\.json\.gz/
    );
    const button = results().locator('.jp-jaxlab-Results-profile');
    await expect.poll(() => button.isVisible(), { timeout: 20_000 }).toBe(true);
    // A run of unchanged code compiles from its project's cache.
    await expect(
      results()
        .locator('.jp-jaxlab-Metrics tr[data-key="compileCache.savedMs"] td')
        .textContent()
    ).resolves.toMatch(/^[1-9]\d* hit/);
    await shot(page, 'run-profile-device.png');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      button.click()
    ]);
    expect(download.suggestedFilename()).toMatch(/profile\.trace\.json\.gz$/);
    const file = await download.path();
    const trace = JSON.parse(
      gunzipSync(readFileSync(file!)).toString('utf8')
    ) as { traceEvents: unknown[] };
    expect(trace.traceEvents.length).toBeGreaterThan(10);
    await panel.locator('.jp-jaxlab-ProfileToggle input').uncheck();
  }, 240_000);

  it('should show what a run would refuse in the review, and make main.py runnable from a diff', async () => {
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: /spiral/i })
      .first()
      .click();
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    const editor = panel.locator('.jp-jaxlab-Files .cm-content').first();
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(
      '\nfor width in (8, 16):\n    print("width", width)\n'
    );
    await panel.locator('.jp-jaxlab-ReviewButton').click();
    const refusal = panel.locator('.jp-jaxlab-Finding.jp-mod-refused');
    await refusal.first().waitFor({ timeout: 60_000 });
    await expect(refusal.first().textContent()).resolves.toContain(
      'top-level-statement'
    );
    await shot(page, 'review-refusal.png');
    await panel.locator('.jp-jaxlab-RunnableButton').click();
    const dialog = page.locator('.jp-Dialog .jp-jaxlab-RunnableDialog');
    await dialog.waitFor({ timeout: 30_000 });
    await expect(
      dialog.locator('.jp-jaxlab-Diff-line.jp-mod-add').allTextContents()
    ).resolves.toContainEqual(
      expect.stringContaining('What the script did at its top level')
    );
    await shot(page, 'make-it-runnable.png');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await page.locator('.jp-Dialog').waitFor({ state: 'detached' });
    // The generated main() ends main.py: scroll there, as a user would (the
    // editor beside the file list is narrow, its lines wrap, and CodeMirror
    // draws only the lines in view).
    await editor.click();
    await page.keyboard.press('Control+End');
    await expect
      .poll(() => editor.textContent(), { timeout: 10_000 })
      .toContain('What the script did at its top level');
    await panel.locator('.jp-jaxlab-ReviewButton').click();
    await panel.locator('.jp-jaxlab-Review-markdown').waitFor();
    await expect
      .poll(() => panel.locator('.jp-jaxlab-Finding.jp-mod-refused').count(), {
        timeout: 60_000
      })
      .toBe(0);
  }, 120_000);

  it('should rename and delete a project from the picker', async () => {
    await openPicker();
    const cards = page
      .locator('.jp-jaxlab-CardList')
      .first()
      .locator('.jp-jaxlab-Card');
    await page
      .locator('.jp-jaxlab-ProjectPicker button[data-action="refresh"]')
      .first()
      .click();
    const matmul = cards.filter({ hasText: 'Matrix-multiply' });
    await matmul.locator('button[data-action="rename"]').click();
    await page.locator('.jp-Dialog input').fill('Matmul, renamed');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(() => cards.filter({ hasText: 'Matmul, renamed' }).count(), {
        timeout: 15_000
      })
      .toBe(1);
    await cards
      .filter({ hasText: 'Matmul, renamed' })
      .locator('button[data-action="delete"]')
      .click();
    await page.locator('.jp-Dialog .jp-mod-warn').click();
    await expect
      .poll(() => cards.filter({ hasText: 'Matmul' }).count(), {
        timeout: 15_000
      })
      .toBe(0);
    expect(
      (await api<Project[]>('/api/projects')).map(p => p.name)
    ).not.toContain('Matmul, renamed');
  }, 60_000);
});
