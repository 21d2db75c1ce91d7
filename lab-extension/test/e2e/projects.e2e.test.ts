import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '@jaxlab/schemas/contract';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../../../scripts/start-lab.mjs';
import {
  SCREENSHOTS,
  screenshotFailures,
  shot,
  launchChromium
} from './lab-page.js';

/**
 * A project of several files in the lab (headless Chromium, the real
 * server, gateway and JupyterLab): its file list (add, rename, delete),
 * a run that imports its modules, a notebook bound to it that calls main()
 * and sees an edit saved in the project editor, and its exported run
 * re-run from the notebook's own %%writefile cells.
 */

type IRunningLab = Awaited<ReturnType<typeof startLab>>;

const NAME = 'Several files';

const MAIN_PY = `"""Prints what the project's modules say."""
from models import describe
from utils.data import BATCH


def main():
    print("model", describe(), "batch", BATCH)
`;

let lab: IRunningLab;
let browser: Browser;
let page: Page;
let projectId: string;

/** Calls the server API as the signed-in user (another client). */
async function api(method: string, path: string, body?: unknown) {
  const token = new URL(lab.loginUrl).searchParams.get('token');
  const res = await fetch(`${lab.serverUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json'
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  return res.json();
}

const serverFiles = async (): Promise<Record<string, string>> =>
  Object.fromEntries(
    (
      ((await api('GET', `/api/projects/${projectId}`)) as Project).files ?? []
    ).map(f => [f.path, f.content])
  );

const panel = (): Locator => page.locator('.jp-jaxlab-ProjectPanel:visible');
const fileItems = (): Locator => panel().locator('.jp-jaxlab-FileList-item');
const item = (path: string): Locator =>
  panel().locator(`.jp-jaxlab-FileList-item[data-path="${path}"]`);
const currentEditor = (): Locator =>
  panel().locator('.jp-jaxlab-Files .cm-content:visible');
const saveState = (): Locator => panel().locator('.jp-jaxlab-SaveState');
const notebook = (): Locator => page.locator('.jp-NotebookPanel:visible');

/** Answers the file name dialog with `path`. */
async function answerFileName(path: string): Promise<void> {
  const input = page.locator('.jp-Dialog .jp-jaxlab-FileNameDialog-input');
  await input.waitFor();
  await input.fill(path);
  await page.locator('.jp-Dialog .jp-mod-accept').click();
}

/**
 * Runs the notebook's first cell (typing `code` into it first, if given)
 * and waits for its output to match.
 */
async function runFirstCell(expected: RegExp, code?: string): Promise<void> {
  const cell = notebook().locator('.jp-CodeCell').first();
  await cell.locator('.cm-content').click();
  if (code) await page.keyboard.insertText(code);
  await page.keyboard.press('Shift+Enter');
  await expect
    .poll(() => cell.locator('.jp-OutputArea').textContent(), {
      timeout: 90_000
    })
    .toMatch(expected);
}

/** The binding's state, and what its tooltip says (why, on an error). */
async function syncState(button: Locator): Promise<string> {
  return `${await button.getAttribute('data-state')}: ${await button.getAttribute('title')}`;
}

async function kernelIdle(): Promise<void> {
  await expect
    .poll(() => page.locator('#jp-main-statusbar').textContent(), {
      timeout: 90_000
    })
    .toContain('JAX (restricted) | Idle');
}

describe('A project of several files in JupyterLab (headless Chromium)', () => {
  screenshotFailures(() => page);
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    lab = await startLab();
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 }
    });
    page = await context.newPage();
    const project = (await api('POST', '/api/projects', {
      name: NAME,
      readme: '# Several files\n\nmain.py imports a module and a package.\n',
      mainPy: MAIN_PY,
      files: [
        {
          path: 'models.py',
          content: 'def describe():\n    return "mlp"\n'
        },
        { path: 'utils/__init__.py', content: '' },
        { path: 'utils/data.py', content: 'BATCH = 32\n' }
      ]
    })) as Project;
    projectId = project.id;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
  }, 60_000);

  it('should list the files of the project and open one in the editor', async () => {
    await page.goto(lab.loginUrl);
    await page.goto(lab.labUrl);
    await page
      .locator('.jp-LauncherCard', { hasText: 'JAX TPU Lab' })
      .first()
      .click({ timeout: 90_000 });
    await page
      .locator('.jp-jaxlab-Card', {
        has: page.locator('h3', { hasText: NAME })
      })
      .locator('button[data-action="open"]')
      .click({ timeout: 30_000 });
    await expect
      .poll(() => fileItems().evaluateAll(n => n.map(e => e.dataset.path)), {
        timeout: 30_000
      })
      .toEqual([
        'main.py',
        'README.md',
        'requirements.txt',
        'models.py',
        'utils/__init__.py',
        'utils/data.py'
      ]);
    await item('models.py').click();
    await expect
      .poll(() =>
        panel()
          .locator('.jp-jaxlab-Files .lm-TabBar-tab.lm-mod-current')
          .textContent()
      )
      .toBe('models.py');
    await expect
      .poll(() => currentEditor().textContent())
      .toContain('return "mlp"');
    await shot(page, 'project-files.png');
  }, 150_000);

  it('should add a file, refusing a path outside the project first, then rename and delete it', async () => {
    await panel().locator('.jp-jaxlab-FileList-add').click();
    await answerFileName('../escape.py');
    // Refused before anything is sent: the dialog comes back saying why.
    const problem = page.locator(
      '.jp-Dialog .jp-jaxlab-FileNameDialog-problem'
    );
    await expect.poll(() => problem.textContent()).toContain("'..' folder");
    await shot(page, 'project-file-refused.png');
    await answerFileName('helpers.py');
    await item('helpers.py').waitFor({ timeout: 15_000 });
    await currentEditor().click();
    await page.keyboard.insertText('SCALE = 2\n');
    await expect
      .poll(() => saveState().textContent(), { timeout: 15_000 })
      .toBe('Saved to server');
    expect((await serverFiles())['helpers.py']).toBe('SCALE = 2\n');

    await item('helpers.py').hover();
    await item('helpers.py').locator('[data-action="rename"]').click();
    await answerFileName('utils/scale.py');
    await item('utils/scale.py').waitFor({ timeout: 15_000 });
    expect(await item('helpers.py').count()).toBe(0);
    await expect
      .poll(() =>
        panel()
          .locator('.jp-jaxlab-Files .lm-TabBar-tab.lm-mod-current')
          .textContent()
      )
      .toBe('utils/scale.py');
    const renamed = await serverFiles();
    expect(renamed['utils/scale.py']).toBe('SCALE = 2\n');
    expect(renamed).not.toHaveProperty('helpers.py');

    await item('utils/scale.py').hover();
    await item('utils/scale.py').locator('[data-action="delete"]').click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(() => item('utils/scale.py').count(), { timeout: 15_000 })
      .toBe(0);
    expect(Object.keys(await serverFiles()).sort()).toEqual([
      'models.py',
      'utils/__init__.py',
      'utils/data.py'
    ]);
  }, 90_000);

  it("should run main() importing the project's module and package", async () => {
    await panel().locator('.jp-jaxlab-RunButton').click();
    const results = panel().locator('.jp-jaxlab-Results');
    await expect
      .poll(
        () =>
          results
            .locator('.jp-jaxlab-Results-header .jp-jaxlab-StatusBadge')
            .getAttribute('data-status'),
        { timeout: 180_000 }
      )
      .toBe('COMPLETED');
    await expect(
      results.locator('.jp-jaxlab-LogView').textContent()
    ).resolves.toContain('model mlp batch 32');
  }, 200_000);

  it('should bind a new notebook to the project, call main() and see an edit saved in the project editor', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'File' }).click();
    await page
      .locator('.lm-Menu-itemLabel', { hasText: 'New Launcher' })
      .click();
    await page
      .locator('.jp-LauncherCard[data-category="Notebook"]', {
        hasText: 'JAX (restricted)'
      })
      .click({ timeout: 30_000 });
    const button = notebook().locator('.jp-jaxlab-NotebookProject');
    await expect
      .poll(() => button.textContent(), { timeout: 60_000 })
      .toBe('Bind to project…');
    await kernelIdle();
    await button.click();
    await page
      .locator('.jp-Dialog .jp-jaxlab-ProjectChoice select')
      .selectOption({ label: NAME });
    await shot(page, 'notebook-bind-project.png');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(() => syncState(button), { timeout: 30_000 })
      .toMatch(/^synced/);
    expect(await button.textContent()).toBe(`Project: ${NAME}`);
    await runFirstCell(/model mlp batch 32/, 'main()');
    await shot(page, 'notebook-bound.png');

    // An edit saved in the project editor reaches the kernel's next call.
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: NAME })
      .first()
      .click();
    await item('utils/data.py').click();
    await currentEditor().click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('BATCH = 64\n');
    await expect
      .poll(() => saveState().textContent(), { timeout: 15_000 })
      .toBe('Saved to server');
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Untitled' })
      .first()
      .click();
    await expect
      .poll(() => syncState(button), { timeout: 30_000 })
      .toMatch(/^synced/);
    await runFirstCell(/model mlp batch 64/);
    await shot(page, 'notebook-bound-edit.png');

    // The binding is the notebook's: saved in its metadata.
    await page.keyboard.press('Control+s');
    // JupyterLab asks for a name at an untitled notebook's first save.
    await page.locator('.jp-Dialog input[type="text"]').fill('bound.ipynb');
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(
        () => {
          try {
            return JSON.parse(
              readFileSync(
                join(lab.dataDir, 'notebooks', 'bound.ipynb'),
                'utf8'
              )
            ).metadata.jaxlab?.projectId;
          } catch {
            return undefined;
          }
        },
        { timeout: 15_000 }
      )
      .toBe(projectId);

    // After a restart the files are put in again and main() still runs.
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Kernel' }).click();
    await page
      .locator('.lm-Menu-itemLabel', { hasText: /^Restart Kernel…$/ })
      .click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await kernelIdle();
    await runFirstCell(/model mlp batch 64/);
  }, 240_000);

  it('should re-run an exported run of the project from its own files, whatever the project holds now', async () => {
    await page
      .locator('.jp-SideBar .lm-TabBar-tab[title="JAX TPU Lab runs"]')
      .click();
    const run = page.locator('.jp-jaxlab-JobItem', {
      has: page.locator('.jp-jaxlab-StatusBadge[data-status="COMPLETED"]')
    });
    await run.first().locator('button[data-action="export"]').click();
    const exported = notebook();
    await expect
      .poll(() => exported.locator('.jp-CodeCell').count(), {
        timeout: 30_000
      })
      .toBe(5);
    // The export names its project: the notebook is bound to it.
    await expect
      .poll(
        () => exported.locator('.jp-jaxlab-NotebookProject').textContent(),
        {
          timeout: 30_000
        }
      )
      .toBe(`Project: ${NAME}`);
    await kernelIdle();
    const call = exported.locator('.jp-CodeCell').last();
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Edit' }).click();
    await page
      .locator('.lm-Menu-itemLabel', { hasText: 'Clear Outputs of All Cells' })
      .click();
    await expect
      .poll(() => call.locator('.jp-OutputArea').textContent())
      .not.toMatch(/model mlp/);
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Kernel' }).click();
    await page
      .locator('.lm-Menu-itemLabel', {
        hasText: 'Restart Kernel and Run All Cells'
      })
      .click();
    await page.locator('.jp-Dialog .jp-mod-accept').click();
    await expect
      .poll(() => call.locator('.jp-OutputArea').textContent(), {
        timeout: 120_000
      })
      .toContain('model mlp batch 32');
    await expect(
      exported
        .locator('.jp-CodeCell')
        .nth(3)
        .locator('.jp-OutputArea')
        .textContent()
    ).resolves.toContain('Writing utils/data.py');
    await shot(page, 'notebook-export-files-rerun.png');
  }, 200_000);
});
