/**
 * Team mode end to end: the real server (Google sign-in pointed at the
 * stand-in, OpenID provider for the hub), gateway, JupyterHub with
 * configurable-http-proxy and the spawner that creates system accounts;
 * two users in headless Chromium. One hub and the users' servers serve
 * every test (starting them takes most of the time), hence one file over
 * ~400 lines.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page
} from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/start-lab.mjs';
import {
  accountOf,
  inPage,
  printLabOutputOnFailure,
  serverCredentialOf,
  signIn as signInTo,
  startTeamLab,
  userPath,
  type ITeamLab
} from './team-lab.js';

const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');

interface ILabUser {
  sub: string;
  email: string;
  name: string;
  context: BrowserContext;
  page: Page;
  /** The system account's home. */
  home: string;
  uid: number;
  gid: number;
}

const ADA = { sub: '2001', email: 'ada@example.com', name: 'Ada Lovelace' };
const BOB = { sub: '2002', email: 'bob@example.com', name: 'Bob Kahn' };

let team: ITeamLab;
let lab: ITeamLab['lab'];
let browser: Browser;
const users: Record<'ada' | 'bob', ILabUser> = {} as never;

const signIn = (who: typeof ADA, context: BrowserContext): Promise<Page> =>
  signInTo(team, who, context);

/**
 * A notebook on the restricted kernel: a `%%writefile main.py` cell (the
 * harness writes it into the kernel's folder), then the designated call.
 */
function writeNotebook(user: ILabUser, file: string, greeting: string): void {
  const program = `import jax.numpy as jnp\n\n\ndef main():\n    print("${greeting}", float(jnp.sum(jnp.arange(4.0))))\n`;
  const cell = (id: string, source: string) => ({
    id,
    cell_type: 'code',
    metadata: {},
    execution_count: null,
    outputs: [],
    source
  });
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'jaxlab',
        display_name: 'JAX (restricted)',
        language: 'python'
      }
    },
    cells: [
      cell('program', `%%writefile main.py\n${program}`),
      cell('call', 'main()')
    ]
  };
  const path = join(user.home, 'notebooks', file);
  writeFileSync(path, JSON.stringify(notebook), { mode: 0o600 });
  chownSync(path, user.uid, user.gid);
}

describe('team mode: two users on one host (JupyterHub, headless Chromium)', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    team = await startTeamLab({ adminEmails: [ADA.email] });
    lab = team.lab;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run']
    });
    for (const [key, who] of [
      ['ada', ADA],
      ['bob', BOB]
    ] as const) {
      const context = await browser.newContext({
        viewport: { width: 1100, height: 760 }
      });
      const page = await signIn(who, context);
      users[key] = {
        ...who,
        context,
        page,
        ...accountOf(team.homeRoot, who.email)
      };
    }
  }, 400_000);

  printLabOutputOnFailure(() => team);

  afterAll(async () => {
    await browser?.close();
    await team?.stop();
  }, 120_000);

  it('should give each user their own JupyterLab, as their own system account, with no Terminal', async () => {
    const { ada, bob } = users;
    expect(ada.uid).not.toBe(bob.uid);
    expect(ada.uid).not.toBe(0);
    for (const user of [ada, bob]) {
      expect(statSync(user.home).mode & 0o777).toBe(0o700);
      expect(statSync(join(user.home, 'notebooks')).mode & 0o777).toBe(0o700);
      await expect
        .poll(
          () => user.page.locator('.jp-jaxlab-SignIn-welcome').textContent(),
          {
            timeout: 30_000
          }
        )
        .toBe(`Welcome, ${user.email}`);
      const cards = await user.page
        .locator('.jp-LauncherCard')
        .allTextContents();
      expect(cards.join('|')).not.toMatch(/Terminal/);
      const terminal = await inPage(
        user.page,
        `${userPath(user.email)}/api/terminals`,
        'POST'
      );
      expect([403, 404]).toContain(terminal.status);
    }
  });

  it("should run each user's notebook on the gateway and show neither the other's notebooks, kernels nor sessions", async () => {
    const { ada, bob } = users;
    writeNotebook(ada, 'ada-notes.ipynb', 'hello from ada');
    writeNotebook(bob, 'bob-notes.ipynb', 'hello from bob');
    for (const [user, file, greeting] of [
      [ada, 'ada-notes.ipynb', 'hello from ada'],
      [bob, 'bob-notes.ipynb', 'hello from bob']
    ] as const) {
      await user.page.goto(
        `${lab.hubUrl}${userPath(user.email)}/lab/tree/${file}`
      );
      const notebook = user.page.locator('.jp-NotebookPanel:visible');
      await notebook.waitFor({ timeout: 60_000 });
      await expect
        .poll(() => user.page.locator('#jp-main-statusbar').textContent(), {
          timeout: 90_000
        })
        .toContain('JAX (restricted) | Idle');
      await notebook.locator('.jp-Cell').first().click();
      await user.page.keyboard.press('Shift+Enter');
      await user.page.keyboard.press('Shift+Enter');
      await expect
        .poll(
          () => notebook.locator('.jp-OutputArea-output').allTextContents(),
          {
            timeout: 90_000
          }
        )
        .toContainEqual(expect.stringContaining(`${greeting} 6.0`));
    }
    const kernelsOf = async (user: ILabUser): Promise<string[]> =>
      (
        JSON.parse(
          (await inPage(user.page, `${userPath(user.email)}/api/kernels`)).body
        ) as { id: string }[]
      ).map(k => k.id);
    const adaKernels = await kernelsOf(ada);
    const bobKernels = await kernelsOf(bob);
    expect(adaKernels).toHaveLength(1);
    expect(bobKernels).toHaveLength(1);
    expect(adaKernels).not.toContain(bobKernels[0]);
    expect(
      (
        await inPage(
          ada.page,
          `${userPath(ada.email)}/api/kernels/${bobKernels[0]}`
        )
      ).status
    ).toBe(404);
    const sessions = JSON.parse(
      (await inPage(ada.page, `${userPath(ada.email)}/api/sessions`)).body
    ) as { path: string }[];
    expect(sessions.map(s => s.path)).toEqual(['ada-notes.ipynb']);
    const contents = JSON.parse(
      (await inPage(ada.page, `${userPath(ada.email)}/api/contents`)).body
    ) as {
      content: { name: string }[];
    };
    expect(contents.content.map(c => c.name)).toEqual(['ada-notes.ipynb']);
    expect(
      (
        await inPage(
          ada.page,
          `${userPath(ada.email)}/api/contents/bob-notes.ipynb`
        )
      ).status
    ).toBe(404);

    // Side by side, for docs/screenshots/team-two-users.png.
    const shots = await Promise.all(
      [ada, bob].map(async u => (await u.page.screenshot()).toString('base64'))
    );
    const sheet = await browser.newPage({
      viewport: { width: 2220, height: 800 }
    });
    await sheet.setContent(
      `<body style="margin:0;background:#616161;display:flex;gap:20px;padding:20px">${shots
        .map(s => `<img src="data:image/png;base64,${s}" style="width:1090px">`)
        .join('')}</body>`
    );
    await sheet.screenshot({
      path: join(SCREENSHOTS, 'team-two-users.png'),
      fullPage: true
    });
    await sheet.close();
  }, 300_000);

  it("should refuse a user's credential every endpoint of another user's kernel at the gateway", async () => {
    const { ada, bob } = users;
    const adaToken = serverCredentialOf(ada.uid);
    const bobToken = serverCredentialOf(bob.uid);
    const list = async (token: string): Promise<string[]> =>
      (
        (await (
          await fetch(`${lab.gatewayUrl}/api/kernels`, {
            headers: { Authorization: `token ${token}` }
          })
        ).json()) as { id: string }[]
      ).map(k => k.id);
    const [bobsKernel] = await list(bobToken);
    expect(bobsKernel).toBeDefined();
    expect(await list(adaToken)).not.toContain(bobsKernel);
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/interrupt'],
      ['POST', '/restart'],
      ['DELETE', '']
    ]) {
      const res = await fetch(
        `${lab.gatewayUrl}/api/kernels/${bobsKernel}${path}`,
        {
          method,
          headers: { Authorization: `token ${adaToken}` }
        }
      );
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    const upgrade = await new Promise<number>(resolve => {
      const ws = new WebSocket(
        `${lab.gatewayUrl.replace('http', 'ws')}/api/kernels/${bobsKernel}/channels?token=${adaToken}`
      );
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), resolve(101)));
      ws.on('error', () => undefined);
    });
    expect(upgrade).toBe(404);
  });

  it("should keep a user's browser out of another user's server, and their account out of the other's folder", async () => {
    // Bob's browser at Ada's server (Ada is an admin: the role admins get
    // does not let them in either; see the admin test).
    const { ada: bob, bob: ada } = users;
    const statuses: number[] = [];
    const onResponse = (r: { status(): number }) => statuses.push(r.status());
    ada.page.on('response', onResponse);
    await ada.page.goto(`${lab.hubUrl}${userPath(bob.email)}/lab`);
    ada.page.off('response', onResponse);
    await ada.page.screenshot({
      path: join(SCREENSHOTS, 'team-other-server-refused.png')
    });
    expect(statuses).toContain(403);
    expect(await ada.page.locator('.jp-LauncherCard').count()).toBe(0);
    expect(await ada.page.textContent('body')).toMatch(
      /403|Forbidden|not allowed/i
    );
    const asAda = (argv: string[]) =>
      spawnSync(
        'setpriv',
        [
          `--reuid=${ada.uid}`,
          `--regid=${ada.gid}`,
          '--init-groups',
          '--',
          ...argv
        ],
        {
          encoding: 'utf8'
        }
      );
    const read = asAda(['cat', join(bob.home, 'notebooks', 'ada-notes.ipynb')]);
    expect(read.status).not.toBe(0);
    expect(read.stderr).toMatch(/Permission denied/);
    expect(asAda(['ls', bob.home]).stderr).toMatch(/Permission denied/);
    // Their own folder they read.
    expect(asAda(['ls', join(ada.home, 'notebooks')]).status).toBe(0);
  });

  it("should let the admin, and only the admin, open the hub's admin page", async () => {
    const { ada, bob } = users;
    const me = async (user: ILabUser) =>
      JSON.parse((await inPage(user.page, `${lab.serverUrl}/api/me`)).body) as {
        isAdmin: boolean;
      };
    expect((await me(ada)).isAdmin).toBe(true);
    expect((await me(bob)).isAdmin).toBe(false);
    const adminPage = await ada.context.newPage();
    const res = await adminPage.goto(`${lab.hubUrl}/hub/admin`);
    expect(res?.status()).toBe(200);
    await adminPage.getByText(bob.email).first().waitFor({ timeout: 30_000 });
    await adminPage.screenshot({
      path: join(SCREENSHOTS, 'team-hub-admin.png')
    });
    // An admin stops other users' servers but cannot enter them.
    const statuses: number[] = [];
    adminPage.on('response', r => statuses.push(r.status()));
    await adminPage.goto(`${lab.hubUrl}${userPath(bob.email)}/lab`);
    expect(statuses).toContain(403);
    expect(await adminPage.locator('.jp-LauncherCard').count()).toBe(0);
    await adminPage.close();
    const bobs = await bob.context.newPage();
    expect((await bobs.goto(`${lab.hubUrl}/hub/admin`))?.status()).toBe(403);
    await bobs.close();
  });

  it('should end both sessions on sign-out, stop the server and revoke its gateway credential', async () => {
    const { bob } = users;
    const token = serverCredentialOf(bob.uid);
    const operatorKernels = async (): Promise<string[]> =>
      (
        (await (
          await fetch(`${lab.gatewayUrl}/api/kernels`, {
            headers: { Authorization: `token ${lab.gatewayToken}` }
          })
        ).json()) as { id: string }[]
      ).map(k => k.id);
    const bobsKernels = (
      (await (
        await fetch(`${lab.gatewayUrl}/api/kernels`, {
          headers: { Authorization: `token ${token}` }
        })
      ).json()) as { id: string }[]
    ).map(k => k.id);
    expect(bobsKernels).toHaveLength(1);
    const page = bob.page;
    await page.goto(`${lab.hubUrl}${userPath(bob.email)}/lab`);
    await page
      .locator('.lm-MenuBar-itemLabel', { hasText: 'File' })
      .waitFor({ timeout: 60_000 });
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'File' }).click();
    await page.locator('.lm-Menu-item[data-command="hub:logout"]').click();
    await page
      .getByRole('heading', { name: 'You are signed out' })
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'team-signed-out.png') });
    // The lab server: no session.
    expect((await page.request.get(`${lab.serverUrl}/api/me`)).status()).toBe(
      401
    );
    // The hub: no session either; the lab leads to sign-in, not the lab.
    const hubUser = await page.request.get(`${lab.hubUrl}/hub/api/user`, {
      maxRedirects: 0
    });
    expect(hubUser.status()).toBe(403);
    // The server stopped, and its credential no longer opens the gateway.
    await expect
      .poll(
        async () =>
          (
            await fetch(`${lab.gatewayUrl}/api/kernels`, {
              headers: { Authorization: `token ${token}` }
            })
          ).status,
        { timeout: 30_000 }
      )
      .toBe(401);
    // His kernels were shut down with it; Ada's still run.
    const left = await operatorKernels();
    expect(left).not.toContain(bobsKernels[0]);
    expect(left).toHaveLength(1);
  }, 120_000);

  it('should bring a stopped server back on the next visit with the files intact', async () => {
    const { bob } = users;
    const page = await signIn(BOB, bob.context);
    await page
      .locator('.jp-DirListing-item', { hasText: 'bob-notes.ipynb' })
      .waitFor({ timeout: 30_000 });
    expect(
      execFileSync('stat', ['-c', '%a', join(bob.home, 'notebooks')], {
        encoding: 'utf8'
      }).trim()
    ).toBe('700');
  }, 200_000);
});
