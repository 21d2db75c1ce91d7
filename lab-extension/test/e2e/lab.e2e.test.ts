import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '@jaxlab/schemas/contract';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../scripts/start-lab.mjs';
import { SCREENSHOTS, setTheme, shot } from './lab-page.js';

type IRunningLab = Awaited<ReturnType<typeof startLab>>;

let lab: IRunningLab;
let browser: Browser;
let page: Page;

/** The projects on the server, as another client (a plain fetch) sees them. */
async function serverProjects(): Promise<Project[]> {
  const token = new URL(lab.loginUrl).searchParams.get('token');
  const res = await fetch(`${lab.serverUrl}/api/projects`, {
    headers: { Authorization: `Bearer ${token}` }
  });
  return (await res.json()) as Project[];
}

const results = (): ReturnType<Page['locator']> =>
  page.locator('.jp-jaxlab-ProjectPanel:visible .jp-jaxlab-Results');

/**
 * Saves a screenshot of the active run once it shows log lines, and keeps
 * it only if the run was RUNNING both before and after it was taken.
 */
async function shotWhileRunning(name: string): Promise<void> {
  const badge = results().locator(
    '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
  );
  await expect
    .poll(() => results().locator('.jp-jaxlab-LogView-block').count(), {
      timeout: 90_000
    })
    .toBeGreaterThan(0);
  if ((await badge.getAttribute('data-status')) !== 'RUNNING') return;
  const image = await page.screenshot();
  if ((await badge.getAttribute('data-status')) !== 'RUNNING') return;
  writeFileSync(join(SCREENSHOTS, name), image);
}

describe('JAX TPU Lab in JupyterLab (headless Chromium)', () => {
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
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 }
    });
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

  it('should open a sample project from the launcher with main.py, README.md and requirements.txt', async () => {
    await page
      .locator('.jp-LauncherCard', { hasText: 'JAX TPU Lab' })
      .first()
      .click();
    const create = page
      .locator('.jp-jaxlab-Card', { hasText: /spiral/i })
      .locator('button[data-action="create"]');
    await create.click();
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    await panel.locator('.cm-content').first().waitFor({ timeout: 30_000 });
    const tabs = await panel
      .locator('.jp-jaxlab-Files .lm-TabBar-tab')
      .allTextContents();
    expect(tabs).toEqual(['main.py', 'README.md', 'requirements.txt']);
    await expect
      .poll(() => panel.locator('.cm-content').first().textContent())
      .toContain('import jax');
    // Only accelerators a connected host offers are enabled (this machine: CPU).
    await expect
      .poll(
        () =>
          panel
            .locator('.jp-jaxlab-AcceleratorPicker option:not([disabled])')
            .allTextContents(),
        {
          timeout: 30_000
        }
      )
      .toEqual([expect.stringMatching(/^CPU/)]);
  }, 60_000);

  it('should review main.py, list lint findings and jump to a finding’s line', async () => {
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    // Add a definition the lint flags (float64 on TPU) at the end of main.py.
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
    // Saved on the server: another browser (here: a plain API client) sees the edit.
    const projects = await serverProjects();
    expect(projects.some(p => p.mainPy.includes('def to_wide(x):'))).toBe(true);
    await panel.locator('.jp-jaxlab-ReviewButton').click();
    const finding = panel.locator('.jp-jaxlab-Finding', { hasText: 'JAX009' });
    await finding.waitFor({ timeout: 60_000 });
    await panel.locator('.jp-jaxlab-Review-markdown').waitFor();
    await shot(page, 'review.png');
    await page.keyboard.press('Control+Home');
    await finding.click();
    // The editor has the focus and its cursor sits on the finding's line.
    await expect
      .poll(() =>
        page.evaluate(() => {
          const node = document.getSelection()?.anchorNode;
          const element = node instanceof Element ? node : node?.parentElement;
          return element?.closest('.cm-line')?.textContent ?? '';
        })
      )
      .toContain('float64');
    // Back to the top of main.py for the screenshots.
    await page.keyboard.press('Control+Home');
    await page
      .locator('.jp-SideBar .lm-TabBar-tab[title="JAX TPU Lab runs"]')
      .click();
  }, 90_000);

  it('should run main.py, stream its log and end COMPLETED with metrics', async () => {
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    await panel.locator('.jp-jaxlab-RunButton').click();
    const badge = results().locator(
      '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
    );
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 60_000 })
      .toMatch(/COMPILING|RUNNING|COMPLETED/);
    await expect
      .poll(() => results().locator('.jp-jaxlab-LogView-block').count(), {
        timeout: 90_000
      })
      .toBeGreaterThan(0);
    await shotWhileRunning('workspace-running-light.png');
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 180_000 })
      .toBe('COMPLETED');
    await expect(
      results().locator('.jp-jaxlab-LogView').textContent()
    ).resolves.toMatch(/Final accuracy/);
    await results()
      .locator('.jp-jaxlab-Metrics tr[data-key="values.accuracy"]')
      .waitFor({ timeout: 10_000 });
    await results()
      .locator('.jp-jaxlab-Metrics tr[data-key="executionTimeMs"]')
      .waitFor();
    await shot(page, 'workspace-completed-light.png');
    await setTheme(page, 'JupyterLab Dark');
    await shot(page, 'workspace-completed-dark.png');
    await setTheme(page, 'JupyterLab Light');
  }, 300_000);

  it('should cancel a second run', async () => {
    await setTheme(page, 'JupyterLab Dark');
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    await panel.locator('.jp-jaxlab-RunButton').click();
    const badge = results().locator(
      '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
    );
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 30_000 })
      .toMatch(/QUEUED|COMPILING|RUNNING/);
    await shotWhileRunning('workspace-running-dark.png');
    await results().locator('.jp-jaxlab-Results-cancel').click();
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 30_000 })
      .toBe('CANCELLED');
    await setTheme(page, 'JupyterLab Light');
  }, 90_000);

  it('should run an edited main.py again', async () => {
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
    await panel.locator('.jp-jaxlab-Files .cm-content').first().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('\nRUN_LABEL = "second try"\n');
    await page.keyboard.press('Control+Home');
    await panel.locator('.jp-jaxlab-RunButton').click();
    const badge = results().locator(
      '.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge'
    );
    await expect
      .poll(() => badge.getAttribute('data-status'), { timeout: 180_000 })
      .toBe('COMPLETED');
  }, 200_000);

  it('should refuse a requirements.txt line naming it, while main.py still saves', async () => {
    const panel = page.locator('.jp-jaxlab-ProjectPanel:visible');
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
    const saved = (await serverProjects()).filter(p =>
      p.mainPy.includes('SAVED_DESPITE_REQUIREMENTS')
    );
    expect(saved.map(p => p.requirements)).toEqual(['']);
    // Run refuses at once: no job is queued (the next test counts three).
    await panel.locator('.jp-jaxlab-RunButton').click();
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

  it('should list the runs, compare two and export the first as a notebook that opens', async () => {
    const items = page.locator('.jp-jaxlab-JobItem');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(3);
    const completed = page.locator('.jp-jaxlab-JobItem', {
      has: page.locator('.jp-jaxlab-StatusBadge[data-status="COMPLETED"]')
    });
    await expect.poll(() => completed.count(), { timeout: 20_000 }).toBe(2);
    await completed.nth(0).locator('input[type=checkbox]').check();
    await completed.nth(1).locator('input[type=checkbox]').check();
    await page.locator('.jp-jaxlab-CompareButton').click();
    const compare = page.locator('.jp-jaxlab-Compare:visible');
    await compare
      .locator('.jp-jaxlab-CompareTable')
      .waitFor({ timeout: 20_000 });
    await expect(compare.locator('h2').nth(1).textContent()).resolves.toMatch(
      /\+[1-9]/
    );
    await expect(
      compare
        .locator('tr[data-key="executionTimeMs"] .jp-jaxlab-Delta')
        .textContent()
    ).resolves.toMatch(/[+−±]/);
    await shot(page, 'jobs-compare.png');
    // The oldest run is the last in the list.
    await completed.nth(1).locator('button[data-action="export"]').click();
    const notebook = page.locator('.jp-NotebookPanel:visible');
    await notebook.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => notebook.locator('.jp-Cell').count(), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => notebook.textContent(), { timeout: 20_000 })
      .toMatch(/Final accuracy/);
    const tab = page.locator(
      '#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current'
    );
    await expect(tab.first().textContent()).resolves.toMatch(/jaxlab-run-/);
    // Notebooks in this JupyterLab run on the gateway's restricted kernel.
    await expect
      .poll(() => notebook.locator('.jp-Toolbar-kernelName').textContent(), {
        timeout: 60_000
      })
      .toContain('JAX (restricted)');
    // The kernel started on the gateway and answered: idle in the status bar.
    await expect
      .poll(() => page.locator('#jp-main-statusbar').textContent(), {
        timeout: 60_000
      })
      .toContain('JAX (restricted) | Idle');
    await shot(page, 'notebook-export.png');
    // "Restart Kernel and Run All Cells" on the export reproduces the run:
    // the %%writefile cell puts main.py into the kernel's folder, the call
    // prints the same Final line again.
    const call = notebook.locator('.jp-CodeCell').last();
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Edit' }).click();
    await page
      .locator('.lm-Menu-itemLabel', { hasText: 'Clear Outputs of All Cells' })
      .click();
    await expect
      .poll(() => call.locator('.jp-OutputArea').textContent())
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
      .poll(() => call.locator('.jp-OutputArea').textContent(), {
        timeout: 120_000
      })
      .toMatch(/Final accuracy/);
    await shot(page, 'notebook-rerun.png');
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
});
